import CCurl
import DRGWCore
import Testing

@testable import DRGWTransport

/// Pure tests of the libcurl result mapping and response-header parsing.
@Suite struct CurlErrorMappingTests {
    @Test(arguments: [
        (CURLE_COULDNT_CONNECT, TransportError.Code.connectFailed),
        (CURLE_COULDNT_RESOLVE_HOST, .connectFailed),
        (CURLE_OPERATION_TIMEDOUT, .timedOut),
        (CURLE_SSL_CONNECT_ERROR, .tls),
        (CURLE_PEER_FAILED_VERIFICATION, .tls),
        (CURLE_SSL_CACERT_BADFILE, .tls),
        (CURLE_RECV_ERROR, .reset),
        (CURLE_SEND_ERROR, .reset),
        (CURLE_GOT_NOTHING, .reset),
        (CURLE_PARTIAL_FILE, .reset),
        (CURLE_WRITE_ERROR, .other),
        (CURLE_UNSUPPORTED_PROTOCOL, .other),
        (CURLE_URL_MALFORMAT, .other),
    ])
    func mapsCurlCodes(code: CURLcode, expected: TransportError.Code) {
        #expect(TransportError.code(forCurl: code, bodyCapExceeded: false) == expected)
    }

    @Test func writeErrorFromTheBodyCapIsTooLarge() {
        #expect(TransportError.code(forCurl: CURLE_WRITE_ERROR, bodyCapExceeded: true) == .tooLarge)
        // The flag only reinterprets write errors.
        #expect(TransportError.code(forCurl: CURLE_RECV_ERROR, bodyCapExceeded: true) == .reset)
    }

    @Test func detailCarriesTimeAndTextButNeverTheQuery() {
        let url = "https://ecs.example.com/v1/x?Signature=abc%2Fdef&AccessKeyId=AKID"
        let detail = TransportError.curlDetail(
            seconds: 0.3021, code: CURLE_OPERATION_TIMEDOUT,
            text: "Operation timed out for \(url) (query Signature=abc%2Fdef&AccessKeyId=AKID)", url: url
        )
        #expect(detail == "0.302s curl 28: Operation timed out for <url> (query <query>)")
        #expect(!detail.contains("AKID"))
    }

    @Test func onlyTheFinalResponseHeadersAreKept() {
        let transfer = CurlTransfer(request: UpstreamRequest(method: "GET", url: "http://127.0.0.1:1/"))
        for line in [
            "HTTP/1.1 100 Continue\r\n", "X-Interim: yes\r\n", "\r\n",
            "HTTP/1.1 200 OK\r\n", "Content-Type:  text/plain \r\n", "X-Folded: one\r\n", "\ttwo\r\n",
            "X-Empty:\r\n", "\r\n",
        ] {
            let accepted = Array(line.utf8).withUnsafeBytes { transfer.receiveHeaderLine($0) }
            #expect(accepted)
        }
        #expect(transfer.responseHeaders.map(\.name) == ["Content-Type", "X-Folded", "X-Empty"])
        #expect(transfer.responseHeaders.map(\.value) == ["text/plain", "one two", ""])
    }

    @Test func announcedBodyOverTheCapStopsAtTheHeaders() {
        let transfer = CurlTransfer(
            request: UpstreamRequest(method: "GET", url: "http://127.0.0.1:1/", maxResponseBytes: 100))
        let small = Array("Content-Length: 100\r\n".utf8).withUnsafeBytes { transfer.receiveHeaderLine($0) }
        #expect(small)
        #expect(!transfer.bodyCapExceeded)
        let big = Array("Content-Length: 101\r\n".utf8).withUnsafeBytes { transfer.receiveHeaderLine($0) }
        #expect(!big)
        #expect(transfer.bodyCapExceeded)
    }

    @Test func bodyCapCountsAcrossChunks() {
        let transfer = CurlTransfer(
            request: UpstreamRequest(method: "GET", url: "http://127.0.0.1:1/", maxResponseBytes: 10))
        let first = [UInt8](repeating: 1, count: 6).withUnsafeBytes { transfer.receiveBody($0) }
        #expect(first == 6)
        let second = [UInt8](repeating: 2, count: 4).withUnsafeBytes { transfer.receiveBody($0) }
        #expect(second == 4)
        let third = [UInt8](repeating: 3, count: 1).withUnsafeBytes { transfer.receiveBody($0) }
        #expect(third == 0)
        #expect(transfer.bodyCapExceeded)
        #expect(transfer.body == [1, 1, 1, 1, 1, 1, 2, 2, 2, 2])
    }

    @Test func methodsAndHeadersAreValidated() {
        #expect(CurlTransfer.validatedMethod("delete") == "DELETE")
        #expect(CurlTransfer.validatedMethod("GET /x HTTP/1.1\r\n") == nil)
        #expect(CurlTransfer.validatedMethod("") == nil)
        #expect(CurlTransfer.isValidHeader(name: "X-Acs-Date", value: "2026-01-01T00:00:00Z"))
        #expect(!CurlTransfer.isValidHeader(name: "X Bad", value: "v"))
        #expect(!CurlTransfer.isValidHeader(name: "X-Ok", value: "a\nb"))
        #expect(CurlTransfer.milliseconds(0.3) == 300)
        #expect(CurlTransfer.milliseconds(0) == 1)
        #expect(CurlTransfer.milliseconds(.infinity) == 86_400_000)
    }
}
