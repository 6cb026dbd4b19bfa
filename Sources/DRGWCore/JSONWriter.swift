import Foundation

/// Writes JSON bytes directly, for the answers the gateway sends on every request. The output is
/// the same as `JSONEncoder` with `.sortedKeys` and `.withoutEscapingSlashes` gives (tests compare
/// the two), so writers must emit keys in sorted order and leave out nil members.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// Writes `{`, calls `members`, writes `}`.
    public mutating func object(_ members: (inout JSONWriter) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        members(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// `"key":"value"`; nothing for a nil value.
    public mutating func member(_ key: String, _ value: String?) {
        guard let value else { return }
        name(key)
        Self.appendString(value, to: &bytes)
        needsComma = true
    }

    /// `"key":` followed by whatever `value` writes.
    public mutating func member(_ key: String, _ value: (inout JSONWriter) -> Void) {
        name(key)
        needsComma = false
        value(&self)
        needsComma = true
    }

    /// `"key":{…}` with the dictionary's members in UTF-8 order of their keys.
    public mutating func member(_ key: String, strings: [String: String]) {
        member(key) { $0.object(strings: strings) }
    }

    /// An object of string members, in UTF-8 order of their keys.
    public mutating func object(strings: [String: String]) {
        object { w in
            for (key, value) in strings.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                w.member(key, value)
            }
        }
    }

    /// `"key":"value"`, or `"key":null` for a nil value (records that spell out unknown members).
    public mutating func member(_ key: String, orNull value: String?) {
        name(key)
        if let value { Self.appendString(value, to: &bytes) } else { bytes.append(contentsOf: Self.null) }
        needsComma = true
    }

    /// `"key":12.5` as `JSONEncoder` writes a `Double` (no `.0` on whole numbers), `null` when nil
    /// or not finite.
    public mutating func member(_ key: String, number value: Double?) {
        name(key)
        if let value, value.isFinite {
            var text = value.description
            if text.hasSuffix(".0") { text.removeLast(2) }
            bytes.append(contentsOf: text.utf8)
        } else {
            bytes.append(contentsOf: Self.null)
        }
        needsComma = true
    }

    /// `"key":42`, `null` when nil.
    public mutating func member(_ key: String, number value: Int?) {
        name(key)
        if let value { bytes.append(contentsOf: String(value).utf8) } else { bytes.append(contentsOf: Self.null) }
        needsComma = true
    }

    /// `"key":true` or `"key":false`.
    public mutating func member(_ key: String, _ value: Bool) {
        name(key)
        bytes.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8))
        needsComma = true
    }

    /// `"key":["a","b"]`.
    public mutating func member(_ key: String, array: [String]) {
        name(key)
        bytes.append(UInt8(ascii: "["))
        for (index, value) in array.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            Self.appendString(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    private static let null: [UInt8] = Array("null".utf8)

    /// `"key":` followed by JSON bytes made elsewhere.
    public mutating func member(_ key: String, raw: [UInt8]) {
        name(key)
        bytes.append(contentsOf: raw)
        needsComma = true
    }

    /// The `Codable` form of a value with the writer's conventions (sorted keys, unescaped slashes),
    /// for the rare members that have no hand-written writer.
    public static func encoded(_ value: some Encodable) -> [UInt8] {
        (try? codableEncoder.encode(value)).map(Array.init) ?? Array("{}".utf8)
    }

    private static let codableEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    private mutating func name(_ key: String) {
        separate()
        Self.appendString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// A JSON string with the escapes `JSONEncoder` uses: `\"`, `\\`, the short forms for
    /// backspace, form feed, newline, carriage return and tab, `\u00XX` for other control characters.
    public static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0x08: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "f"))
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// A value that writes its own JSON (see `JSONWriter`); `Codable` stays its reference form.
public protocol JSONWritable {
    func write(to writer: inout JSONWriter)
}

extension JSONWritable {
    /// The value's JSON bytes.
    public var jsonBytes: [UInt8] {
        var writer = JSONWriter()
        write(to: &writer)
        return writer.bytes
    }
}
