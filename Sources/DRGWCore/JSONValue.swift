/// A parsed JSON document, for hot paths that read a few fields of an upstream answer without
/// going through `Codable`'s generic containers. Objects keep their members in order; numbers keep
/// their text, so nothing is rounded on the way through.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// Parses one JSON text (RFC 8259); throws `JSONScanner.Failure` when it is not JSON.
    public init(parsing bytes: [UInt8]) throws {
        self = try bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(bytes: buffer)
            return try scanner.document()
        }
    }

    /// The member named `key` of an object (the first one, if repeated); nil for other values.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The string, or nil for any other value.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The number as an `Int` when it is an integer in range, else nil.
    public var intValue: Int? {
        if case .number(let text) = self { return Int(text) }
        return nil
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }
}

/// Reading fields of a decoded object, with errors that name the field (never the payload).
public struct JSONFieldError: Error, Sendable, CustomStringConvertible {
    public var field: String

    public init(field: String) {
        self.field = field
    }

    public var description: String { "JSONFieldError(\(field))" }
}

extension JSONValue {
    /// A required string member.
    public func string(_ key: String) throws -> String {
        guard let text = self[key]?.stringValue else { throw JSONFieldError(field: key) }
        return text
    }

    /// An optional number member: absent or `null` is nil, any other non-number is an error.
    public func optionalDouble(_ key: String) throws -> Double? {
        switch self[key] {
        case nil, .null?: return nil
        case .number(let text)?:
            guard let value = Double(text) else { throw JSONFieldError(field: key) }
            return value
        default: throw JSONFieldError(field: key)
        }
    }

    /// An optional integer member: absent or `null` is nil; a number that is not an `Int` is an error.
    public func optionalInt(_ key: String) throws -> Int? {
        switch self[key] {
        case nil, .null?: return nil
        case .number(let text)?:
            // `JSONDecoder` also takes an integral number written with a fraction or exponent (`3.0`).
            if let value = Int(text) { return value }
            guard let value = Double(text), value.rounded() == value, let exact = Int(exactly: value) else {
                throw JSONFieldError(field: key)
            }
            return exact
        default: throw JSONFieldError(field: key)
        }
    }

    /// An optional boolean member: absent or `null` is nil.
    public func optionalBool(_ key: String) throws -> Bool? {
        switch self[key] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        default: throw JSONFieldError(field: key)
        }
    }

    /// An optional array of strings: absent or `null` is nil.
    public func optionalStrings(_ key: String) throws -> [String]? {
        switch self[key] {
        case nil, .null?: return nil
        case .array(let items)?:
            return try items.map { item in
                guard let text = item.stringValue else { throw JSONFieldError(field: key) }
                return text
            }
        default: throw JSONFieldError(field: key)
        }
    }

    /// An optional string member: absent or `null` is nil, any other non-string is an error.
    public func optionalString(_ key: String) throws -> String? {
        switch self[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw JSONFieldError(field: key)
        }
    }
}

/// A value read from a parsed `JSONValue` by hand (the hot-path alternative to `Decodable`).
public protocol JSONReadable {
    init(json: JSONValue) throws
}
