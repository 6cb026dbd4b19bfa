import DRGWCore
import Foundation
import Testing

/// The hand-written writers must give exactly the bytes of the `Codable` reference form.
@Suite struct JSONWriterTests {
    private static let reference: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    private static let alphabet: [Character] = [
        "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{8}", "\u{C}", "\u{1}", "\u{1F}", "\u{7F}", "é", "中", "😀",
        "\u{2028}",
    ]

    private static func text(_ rng: inout SeededGenerator) -> String {
        String((0..<Int.random(in: 0...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
    }

    @Test func drillMatchesTheEncoder() throws {
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<300 {
            let drill = Drill(
                id: Self.text(&rng), account: Self.text(&rng), provider: Self.text(&rng), name: Self.text(&rng),
                protectionGroupId: Self.text(&rng), drillNetworkId: Bool.random(using: &rng) ? Self.text(&rng) : nil,
                status: DrillStatus.allCases.randomElement(using: &rng)!, providerStatus: Self.text(&rng),
                createdAt: Self.text(&rng))
            #expect(drill.jsonBytes == Array(try Self.reference.encode(drill)))
        }
    }

    @Test func operationMatchesTheEncoder() throws {
        var rng = SeededGenerator(seed: 12)
        for round in 0..<300 {
            var problem: Problem?
            if round % 3 == 0 {
                problem = Problem(.conflict, detail: Self.text(&rng), provider: Self.text(&rng), providerCode: "SDRS.0209")
            }
            let operation = GatewayOperation(
                id: Self.text(&rng), account: Self.text(&rng), kind: Self.text(&rng),
                status: OperationStatus.allCases.randomElement(using: &rng)!, createdAt: Self.text(&rng),
                updatedAt: Self.text(&rng),
                resource: ResourceReference(type: Self.text(&rng), id: Bool.random(using: &rng) ? Self.text(&rng) : nil),
                error: problem)
            #expect(operation.jsonBytes == Array(try Self.reference.encode(operation)))
        }
    }
}
