import CCurl
import DRGWCore
import Foundation

extension TransportError {
    /// Maps a failed transfer's `CURLcode` to a stable transport code.
    /// - Parameter bodyCapExceeded: the body cap aborted the transfer (libcurl then reports a write error).
    init(curlCode: CURLcode, bodyCapExceeded: Bool, detail: String = "") {
        self.init(Self.code(forCurl: curlCode, bodyCapExceeded: bodyCapExceeded), detail: detail)
    }

    static func code(forCurl code: CURLcode, bodyCapExceeded: Bool) -> Code {
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .connectFailed
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
            CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            return .tls
        case CURLE_WRITE_ERROR where bodyCapExceeded:
            return .tooLarge
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2,
            CURLE_HTTP2_STREAM:
            return .reset
        default:
            return .other
        }
    }

    /// "0.302s curl 28: …" with every copy of the URL and its query string blanked out, so neither
    /// signatures nor parameters reach a log.
    static func curlDetail(seconds: Double, code: CURLcode, text: String, url: String) -> String {
        var text = text
        if !url.isEmpty { text = text.replacingOccurrences(of: url, with: "<url>") }
        if let mark = url.firstIndex(of: "?") {
            let query = url[url.index(after: mark)...].prefix { $0 != "#" }
            if !query.isEmpty { text = text.replacingOccurrences(of: String(query), with: "<query>") }
        }
        return String(format: "%.3fs curl %ld: ", seconds, Int(code.rawValue)) + text
    }
}
