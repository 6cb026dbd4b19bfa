import Foundation

/// The keys of one configuration file: every key a mapping holds, and every key the loader
/// asked for, so that a key nobody reads (a typo such as `retentionHour`) is an error.
final class KeyTracker {
    private(set) var present: [String] = []
    private var read: Set<String> = []

    func holds(_ path: String) { present.append(path) }
    func asked(_ path: String) { read.insert(path) }

    /// Keys in the file that the loader never asked for, in file order.
    var unknown: [String] { present.filter { !read.contains($0) } }
}

/// A YAML value with its path, so that every type error names the key.
struct Node {
    var value: Any
    var key: String
    var tracker: KeyTracker?

    init(_ value: Any, key: String, tracker: KeyTracker? = nil) {
        self.value = value
        self.key = key
        self.tracker = tracker
    }

    /// A mapping node.
    struct Map {
        var values: [String: Any]
        var key: String
        var tracker: KeyTracker?

        func path(_ name: String) -> String { key.isEmpty ? name : "\(key).\(name)" }

        func node(_ name: String) -> Node? {
            tracker?.asked(path(name))
            guard let value = values[name], !(value is NSNull) else { return nil }
            return Node(value, key: path(name), tracker: tracker)
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
            return list.enumerated().map { Node($1, key: "\(node.key)[\($0)]", tracker: tracker) }
        }
    }

    func map() throws -> Map {
        let values: [String: Any]
        if let map = value as? [String: Any] {
            values = map
        } else if let map = value as? [AnyHashable: Any] {
            values = Dictionary(map.map { ("\($0.key)", $0.value) }, uniquingKeysWith: { first, _ in first })
        } else {
            throw ConfigError(key: key.isEmpty ? "config" : key, "must be a mapping")
        }
        let map = Map(values: values, key: key, tracker: tracker)
        for name in values.keys.sorted() { tracker?.holds(map.path(name)) }
        return map
    }

    func string() throws -> String {
        if let text = value as? String { return text }
        if let int = value as? Int { return String(int) }
        if let bool = value as? Bool { return String(bool) }
        if let double = value as? Double { return String(double) }
        throw ConfigError(key: key, "must be a string")
    }
}
