import DRGWCore
import Foundation
import Testing

@Suite struct JSONScannerTests {
    @Test func parsesEveryKindOfValue() throws {
        let text = #" { "a": [1, -2.5e3, 0, true, false, null], "b": {"c": "d\"e\\f\/g\n\u00e9\ud83d\ude00"}, "":"" } "#
        let value = try JSONValue(parsing: Array(text.utf8))
        #expect(value["a"] == .array([.number("1"), .number("-2.5e3"), .number("0"), .bool(true), .bool(false), .null]))
        #expect(value["b"]?["c"]?.stringValue == "d\"e\\f/g\né😀")
        #expect(value[""]?.stringValue == "")
        #expect(value["missing"] == nil)
        #expect(value["a"]?["x"] == nil)
    }

    @Test func keepsMemberOrderAndTakesTheFirstOfRepeatedKeys() throws {
        let value = try JSONValue(parsing: Array(#"{"z":1,"a":2,"z":3}"#.utf8))
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["z", "a", "z"])
        #expect(value["z"]?.intValue == 1)
    }

    @Test(arguments: [
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "\"abc", "\"a\\x\"", "\"\\u12\"", "01", "1.", "-",
        "1e", "+1", "tru", "nul", "[1 2]", "{} {}", "\"tab\there\"", "\u{1}", "NaN",
    ])
    func refusesWhatIsNotJSON(_ text: String) {
        #expect(throws: (any Error).self) { try JSONValue(parsing: Array(text.utf8)) }
    }

    @Test func limitsNesting() throws {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: (any Error).self) { try JSONValue(parsing: Array(deep.utf8)) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { try JSONValue(parsing: Array(fine.utf8)) }
    }

    @Test func loneSurrogatesBecomeReplacementCharacters() throws {
        let value = try JSONValue(parsing: Array(#"["\ud800x","\udc00"]"#.utf8))
        #expect(value == .array([.string("\u{FFFD}x"), .string("\u{FFFD}")]))
    }

    /// Random documents written by Foundation's JSONSerialization read back the same.
    @Test func agreesWithJSONSerializationOnRandomDocuments() throws {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<300 {
            let object = Self.randomObject(depth: 0, using: &rng)
            let data = try JSONSerialization.data(withJSONObject: object)
            let parsed = try JSONValue(parsing: Array(data))
            #expect(Self.matches(parsed, object), "mismatch for \(String(decoding: data, as: UTF8.self))")
        }
    }

    private static let alphabet: [Character] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{1}", "\u{7F}", "é", "中", "😀", "\u{2028}"]

    private static func randomString(using rng: inout SeededGenerator) -> String {
        String((0..<Int.random(in: 0...8, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
    }

    private static func randomObject(depth: Int, using rng: inout SeededGenerator) -> [String: Any] {
        var object: [String: Any] = [:]
        for _ in 0..<Int.random(in: 0...4, using: &rng) {
            object[randomString(using: &rng)] = randomValue(depth: depth + 1, using: &rng)
        }
        return object
    }

    private static func randomValue(depth: Int, using rng: inout SeededGenerator) -> Any {
        switch Int.random(in: 0..<(depth > 3 ? 4 : 6), using: &rng) {
        case 0: return randomString(using: &rng)
        case 1: return Int.random(in: -1_000_000...1_000_000, using: &rng)
        case 2: return Bool.random(using: &rng)
        case 3: return NSNull()
        case 4: return (0..<Int.random(in: 0...3, using: &rng)).map { _ in randomValue(depth: depth + 1, using: &rng) }
        default: return randomObject(depth: depth, using: &rng)
        }
    }

    private static func matches(_ value: JSONValue, _ object: Any) -> Bool {
        switch (value, object) {
        case (.null, is NSNull): return true
        case (.string(let s), let o as String): return s == o
        case (.bool(let b), let o as Bool): return b == o
        case (.number(let n), let o as Int): return Int(n) == o
        case (.array(let items), let o as [Any]):
            return items.count == o.count && zip(items, o).allSatisfy { matches($0, $1) }
        case (.object(let members), let o as [String: Any]):
            return members.count == o.count && members.allSatisfy { m in o[m.key].map { matches(m.value, $0) } ?? false }
        default: return false
        }
    }
}
