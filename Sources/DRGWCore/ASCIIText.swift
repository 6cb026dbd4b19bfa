/// Byte-level text helpers for protocol strings (header values, tokens). They treat only ASCII
/// specially, and avoid Foundation's `CharacterSet` machinery, which costs microseconds per call.
public enum ASCIIText {
    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    /// `text` without leading and trailing ASCII whitespace (space, tab, CR, LF, VT, FF).
    public static func trimmed<S: StringProtocol>(_ text: S) -> String {
        let whole = Substring(text)
        let bytes = whole.utf8
        guard let first = bytes.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = bytes.lastIndex(where: { !isSpace($0) })!
        if first == bytes.startIndex, last == bytes.index(before: bytes.endIndex) { return String(whole) }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    /// The byte offset of the first occurrence of `needle` in `haystack` (compared as UTF-8 bytes).
    public static func firstOffset(of needle: String, in haystack: String) -> Int? {
        let h = Array(haystack.utf8), n = Array(needle.utf8)
        guard !n.isEmpty else { return 0 }
        guard h.count >= n.count else { return nil }
        for start in 0...(h.count - n.count) where h[start] == n[0] {
            var i = 1
            while i < n.count, h[start + i] == n[i] { i += 1 }
            if i == n.count { return start }
        }
        return nil
    }

    /// True when `haystack` contains `needle` byte for byte (no Unicode or locale rules).
    public static func contains(_ haystack: String, _ needle: String) -> Bool {
        firstOffset(of: needle, in: haystack) != nil
    }
}
