/// HTTP header names compare case-insensitively in ASCII only (RFC 9110 §5.1). Foundation's
/// `caseInsensitiveCompare` goes through ICU collation, which is far too slow for every header look-up.
public enum HeaderName {
    /// True when `a` and `b` are the same header name.
    @inlinable
    public static func equal(_ a: String, _ b: String) -> Bool {
        var left = a.utf8.makeIterator()
        var right = b.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return true
            case (let x?, let y?):
                if x == y { continue }
                let lx = (x >= 0x41 && x <= 0x5A) ? x | 0x20 : x
                let ly = (y >= 0x41 && y <= 0x5A) ? y | 0x20 : y
                if lx != ly { return false }
            default: return false
            }
        }
    }
}
