import DRGWCore
import Foundation

/// Metric labels of one upstream exchange, derived from the request and its result. Pure.
enum UpstreamCallLabels {
    /// The upstream action: the adapter's `operationName` (an RPC action such as `StartPairDrill`);
    /// otherwise the method and the path with ids replaced by placeholders (e.g.
    /// `POST /v1/{project}/disaster-recovery-drills`). Never contains a query string or an id.
    static func action(of request: UpstreamRequest) -> String {
        if let name = request.operationName, isWord(name) { return name }
        return request.method + " " + template(split(request.url).path)
    }

    /// `2xx`, `4xx`, `5xx` (or `1xx`/`3xx`) by status class.
    static func outcome(status: Int) -> String {
        "\(max(1, min(5, status / 100)))xx"
    }

    /// A transport error's stable code, `circuit_open` for the breaker's refusal (the only `Problem`
    /// a transport throws), else `error`.
    static func outcome(error: any Error) -> String {
        if let error = error as? TransportError { return error.code.rawValue }
        if (error as? Problem)?.hasCode(.upstreamUnavailable) == true {
            return "circuit_open"
        }
        return "error"
    }

    /// The path of a URL (without scheme, authority and query) and its query. Works on UTF-8
    /// offsets: no grapheme breaking on the per-call path.
    static func split(_ url: String) -> (path: String, query: String?) {
        let bytes = url.utf8
        var start = bytes.startIndex
        if let offset = ASCIIText.firstOffset(of: "://", in: url) {
            let authority = bytes.index(start, offsetBy: offset + 3)
            guard let slash = bytes[authority...].firstIndex(of: UInt8(ascii: "/")) else {
                let mark = bytes[authority...].firstIndex(of: UInt8(ascii: "?"))
                return ("/", mark.map { String(decoding: bytes[bytes.index(after: $0)...], as: UTF8.self) })
            }
            start = slash
        }
        if let mark = bytes[start...].firstIndex(of: UInt8(ascii: "?")) {
            return (
                String(decoding: bytes[start..<mark], as: UTF8.self),
                String(decoding: bytes[bytes.index(after: mark)...], as: UTF8.self)
            )
        }
        return (String(decoding: bytes[start...], as: UTF8.self), nil)
    }

    /// Replaces the project segment after a version (`/v1/{project}`) and every id-like segment with placeholders.
    static func template(_ path: String) -> String {
        let segments = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        var out: [UInt8] = []
        out.reserveCapacity(path.utf8.count)
        for (i, segment) in segments.enumerated() {
            if i > 0 { out.append(UInt8(ascii: "/")) }
            if i == 2, segments.count > 2, isVersion(segments[1]) {
                out += "{project}".utf8
            } else if isIdLike(segment) {
                out += "{id}".utf8
            } else {
                out += segment
            }
        }
        return out.isEmpty ? "/" : String(decoding: out, as: UTF8.self)
    }

    static func isVersion(_ segment: String) -> Bool { isVersion(Substring(segment).utf8[...]) }

    static func isVersion(_ segment: Substring.UTF8View) -> Bool {
        segment.count >= 2 && segment.first == UInt8(ascii: "v") && segment.dropFirst().allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    static func isIdLike(_ segment: String) -> Bool { isIdLike(Substring(segment).utf8[...]) }

    /// Static path words are lowercase ASCII letters, hyphens and underscores; anything with digits,
    /// other characters or over 40 bytes is treated as an id.
    static func isIdLike(_ segment: Substring.UTF8View) -> Bool {
        guard !segment.isEmpty else { return false }
        if isVersion(segment) { return false }
        if segment.count > 40 { return true }
        return !segment.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    /// An action name: 1–64 ASCII letters and digits.
    static func isWord(_ value: String) -> Bool {
        !value.isEmpty && value.utf8.count <= 64
            && value.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }
    }
}
