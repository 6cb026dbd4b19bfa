import CCurl
import DRGWCore

extension CurlTransfer {
    /// Applies the request to a fresh (or reset) easy handle. Runs on the driving event loop.
    func configure(_ easy: UnsafeMutableRawPointer, userAgent: String) -> TransportError? {
        var failed = false
        func check(_ code: CURLcode) {
            if code != CURLE_OK { failed = true }
        }
        func long(_ option: CURLoption, _ value: Int) {
            check(drgw_easy_setopt_long(easy, option, value))
        }
        func string(_ option: CURLoption, _ value: String) {
            check(drgw_easy_setopt_string(easy, option, value))
        }

        guard let method = Self.validatedMethod(request.method) else {
            return TransportError(.other, detail: "invalid request method")
        }

        long(CURLOPT_NOSIGNAL, 1)
        string(CURLOPT_URL, request.url)
        string(CURLOPT_PROTOCOLS_STR, "http,https")
        string(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        long(CURLOPT_FOLLOWLOCATION, 0)
        long(CURLOPT_SSL_VERIFYPEER, 1)
        long(CURLOPT_SSL_VERIFYHOST, 2)
        long(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout))
        long(CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout))
        long(CURLOPT_TCP_NODELAY, 1)
        string(CURLOPT_USERAGENT, userAgent)
        check(drgw_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer)))

        let context = Unmanaged.passUnretained(self).toOpaque()
        check(drgw_easy_setopt_write_callback(easy, curlWriteCallback))
        check(drgw_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context))
        check(drgw_easy_setopt_header_callback(easy, curlHeaderCallback))
        check(drgw_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context))

        switch method {
        case "HEAD":
            long(CURLOPT_NOBODY, 1)
        case "GET" where request.body.isEmpty:
            long(CURLOPT_HTTPGET, 1)
        case "POST", "PUT", "PATCH":
            setBody(easy, check: check)
            if method != "POST" { string(CURLOPT_CUSTOMREQUEST, method) }
        default:
            // DELETE, OPTIONS, GET with a body…: the verb is custom, a body (if any) goes through POSTFIELDS.
            if !request.body.isEmpty { setBody(easy, check: check) }
            string(CURLOPT_CUSTOMREQUEST, method)
        }

        guard let list = makeHeaderList() else {
            return TransportError(.other, detail: "invalid request header")
        }
        headerList = list
        check(drgw_easy_setopt_pointer(easy, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(list)))

        return failed ? TransportError(.other, detail: "libcurl rejected an option") : nil
    }

    private func setBody(_ easy: UnsafeMutableRawPointer, check: (CURLcode) -> Void) {
        // POSTFIELDSIZE first, so COPYPOSTFIELDS copies exactly that many (possibly binary) bytes.
        check(drgw_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
        if request.body.isEmpty {
            check(drgw_easy_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, ""))
        } else {
            request.body.withUnsafeBytes { bytes in
                check(
                    drgw_easy_setopt_pointer(
                        easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress)))
            }
        }
    }

    /// The caller's headers in order, plus blank entries that stop libcurl adding its own defaults.
    private func makeHeaderList() -> UnsafeMutablePointer<curl_slist>? {
        var lines: [String] = []
        for header in request.headers {
            guard Self.isValidHeader(name: header.name, value: header.value) else { return nil }
            // "Name;" is libcurl's spelling of a header with an empty value ("Name:" would delete it).
            lines.append(header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)")
        }
        for suppressed in ["Expect", "Accept", "Content-Type"] where request.header(suppressed) == nil {
            lines.append("\(suppressed):")
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let extended = curl_slist_append(list, line) else {
                if let list { curl_slist_free_all(list) }
                return nil
            }
            list = extended
        }
        return list
    }

    static func validatedMethod(_ method: String) -> String? {
        let upper = method.uppercased()
        guard !upper.isEmpty, upper.utf8.allSatisfy({ isTokenByte($0) }) else { return nil }
        return upper
    }

    static func isValidHeader(name: String, value: String) -> Bool {
        guard !name.isEmpty, name.utf8.allSatisfy({ isTokenByte($0) }) else { return false }
        return !value.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// Seconds to libcurl milliseconds; never 0, which libcurl reads as "no limit".
    static func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite else { return 86_400_000 }
        return Int(min(86_400_000, max(1, (seconds * 1000).rounded())))
    }
}

private let curlWriteCallback: drgw_data_callback = { data, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
}

private let curlHeaderCallback: drgw_data_callback = { data, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    return transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}
