import Foundation

/// A YAML value with its path, so that every type error names the key.
struct Node {
    var value: Any
    var key: String

    init(_ value: Any, key: String) {
        self.value = value
        self.key = key
    }

    /// A mapping node.
    struct Map {
        var values: [String: Any]
        var key: String

        func path(_ name: String) -> String { key.isEmpty ? name : "\(key).\(name)" }

        func node(_ name: String) -> Node? {
            guard let value = values[name], !(value is NSNull) else { return nil }
            return Node(value, key: path(name))
        }

        func string(_ name: String) throws -> String {
            guard let node = node(name) else { throw ConfigError(key: path(name), "is required") }
            return try node.string()
        }

        func optionalString(_ name: String) throws -> String? { try node(name)?.string() }

        func optionalInt(_ name: String) throws -> Int? {
            guard let node = node(name) else { return nil }
            if let int = node.value as? Int { return int }
            if let text = node.value as? String, let int = Int(text) { return int }
            throw ConfigError(key: node.key, "must be an integer")
        }

        func optionalDouble(_ name: String) throws -> Double? {
            guard let node = node(name) else { return nil }
            if let double = node.value as? Double { return double }
            if let int = node.value as? Int { return Double(int) }
            if let text = node.value as? String, let double = Double(text) { return double }
            throw ConfigError(key: node.key, "must be a number")
        }

        func optionalMap(_ name: String) throws -> Map? { try node(name)?.map() }

        func optionalList(_ name: String) throws -> [Node] {
            guard let node = node(name) else { return [] }
            guard let list = node.value as? [Any] else { throw ConfigError(key: node.key, "must be a list") }
            return list.enumerated().map { Node($1, key: "\(node.key)[\($0)]") }
        }
    }

    func map() throws -> Map {
        guard let map = value as? [String: Any] else {
            if let map = value as? [AnyHashable: Any] {
                return Map(values: Dictionary(uniqueKeysWithValues: map.map { ("\($0.key)", $0.value) }), key: key)
            }
            throw ConfigError(key: key.isEmpty ? "config" : key, "must be a mapping")
        }
        return Map(values: map, key: key)
    }

    func string() throws -> String {
        if let text = value as? String { return text }
        if let int = value as? Int { return String(int) }
        if let bool = value as? Bool { return String(bool) }
        if let double = value as? Double { return String(double) }
        throw ConfigError(key: key, "must be a string")
    }
}
