import DRGWCore
import Foundation

/// JSON coders of the SDRS wire format. The snake_case names are spelled out in each wire
/// type's `CodingKeys`, so no key strategy runs per key; the coders are made once.
public enum SDRSJSON {
    private static let sharedEncoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()
    private static let sharedDecoder = JSONDecoder()

    public static func encoder() -> JSONEncoder { sharedEncoder }

    public static func decoder() -> JSONDecoder { sharedDecoder }

    /// Drill timestamps: `yyyy-MM-dd HH:mm:ss.SSS` in UTC.
    public static func drillTime(_ date: Date) -> String {
        var bytes = Array(Timestamp.rfc3339(date).utf8)  // yyyy-MM-ddTHH:mm:ss.SSSZ
        bytes.removeLast()
        bytes[10] = UInt8(ascii: " ")
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Converts a drill timestamp (`yyyy-MM-dd HH:mm:ss` with up to six fraction digits, UTC
    /// assumed) to RFC 3339; other strings pass through.
    public static func rfc3339(fromDrillTime text: String) -> String {
        let b = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Bool { range.allSatisfy { b[$0] >= 0x30 && b[$0] <= 0x39 } }
        guard b.count >= 19, digits(0..<4), b[4] == 0x2D, digits(5..<7), b[7] == 0x2D, digits(8..<10), b[10] == 0x20,
            digits(11..<13), b[13] == 0x3A, digits(14..<16), b[16] == 0x3A, digits(17..<19)
        else { return text }
        var out = b
        out[10] = UInt8(ascii: "T")
        if b.count == 19 {
            out += Array(".000".utf8)
        } else {
            guard b[19] == 0x2E, (21...26).contains(b.count), digits(20..<b.count) else { return text }
        }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }
}
