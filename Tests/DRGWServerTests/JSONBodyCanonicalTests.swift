import DRGWCore
import Foundation
import Testing

@testable import DRGWServer

/// Fingerprints are stored with idempotency records, so the fast canonical form must keep
/// `JSONSerialization`'s bytes exactly.
@Suite struct JSONBodyCanonicalTests {
    private static let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    private static let valueAlphabet: [Character] = [
        "a", "Z", "0", " ", ".", "_", "-", "\"", "\\", "/", "\n", "\r", "\t", "\u{8}", "\u{C}", "\u{1}", "\u{1F}", "\u{7F}",
        "é", "中", "演", "😀", "\u{2028}",
    ]

    @Test func flatObjectsOfStringsMatchJSONSerialization() throws {
        var rng = SeededGenerator(seed: 21)
        var checked = 0
        for _ in 0..<500 {
            var object: [String: Any] = [:]
            for _ in 0..<Int.random(in: 1...5, using: &rng) {
                let key = String((0..<Int.random(in: 1...12, using: &rng)).map { _ in Self.letters.randomElement(using: &rng)! })
                object[key] = String((0..<Int.random(in: 0...16, using: &rng)).map { _ in Self.valueAlphabet.randomElement(using: &rng)! })
            }
            let reference = Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
            if let fast = JSONBody.flatCanonical(object) {
                #expect(fast == reference, "\(String(decoding: reference, as: UTF8.self))")
                checked += 1
            }
        }
        #expect(checked > 400)  // keys equal ignoring case are rare and fall back
    }

    @Test func theDrillCreateBodyTakesTheFastPath() throws {
        let object: [String: Any] = ["name": "dr_drill_test", "protectionGroupId": "g-1", "drillNetworkId": "vpc/1"]
        let fast = try #require(JSONBody.flatCanonical(object))
        #expect(String(decoding: fast, as: UTF8.self) == #"{"drillNetworkId":"vpc\/1","name":"dr_drill_test","protectionGroupId":"g-1"}"#)
        #expect(fast == Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])))
    }

    @Test func otherShapesFallBack() {
        #expect(JSONBody.flatCanonical(["a": 1]) == nil)
        #expect(JSONBody.flatCanonical(["a": ["b": "c"]]) == nil)
        #expect(JSONBody.flatCanonical(["a1": "x"]) == nil)
        #expect(JSONBody.flatCanonical(["name": "x", "Name": "y"]) == nil)
        #expect(JSONBody(object: ["a": 1, "b": [true]]).canonical() == Array(#"{"a":1,"b":[true]}"#.utf8))
    }
}
