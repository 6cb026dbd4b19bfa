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
}
