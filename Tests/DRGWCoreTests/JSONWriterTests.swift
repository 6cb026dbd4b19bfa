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

    private static func randomReport(_ rng: inout SeededGenerator) -> DrillReport {
        func maybe<T>(_ value: @autoclosure () -> T) -> T? { Bool.random(using: &rng) ? value() : nil }
        func date() -> Date { Date(timeIntervalSince1970: Double(Int.random(in: 1_600_000_000_000...1_900_000_000_000, using: &rng)) / 1000) }
        func seconds() -> Double {
            [3.0, 12.5, 0.001, 1e-7, 1234567.891, 1e21, 0.1 + 0.2, -0.0, Double.random(in: 0...100_000, using: &rng)]
                .randomElement(using: &rng)!
        }
        var report = DrillReport(
            id: text(&rng), account: text(&rng), provider: text(&rng), protectionGroupId: text(&rng), name: text(&rng),
            requestedAt: date())
        report.drillId = maybe(text(&rng))
        report.readyAt = maybe(date())
        report.rtoSeconds = maybe(seconds())
        report.rpoSeconds = maybe(seconds())
        report.rtoTargetSeconds = maybe(Int.random(in: 0...86_400, using: &rng))
        report.rpoTargetSeconds = maybe(Int.random(in: -5...86_400, using: &rng))
        report.outcome = DrillOutcome.allCases.randomElement(using: &rng)!
        report.notes = maybe(text(&rng))
        report.expiresAt = maybe(date())
        report.cleanedUpAt = maybe(date())
        report.cleanupVerified = Bool.random(using: &rng)
        report.cleanupStatus = CleanupStatus.allCases.randomElement(using: &rng)!
        report.operations = (0..<Int.random(in: 0...3, using: &rng)).map { _ in text(&rng) }
        report.providerRequestIds = (0..<Int.random(in: 0...3, using: &rng)).map { _ in text(&rng) }
        report.rpoBasis = maybe(text(&rng))
        report.findings = (0..<Int.random(in: 0...3, using: &rng)).map { _ in text(&rng) }
        report.scheduleId = maybe(text(&rng))
        return report
    }

    /// A report is stored and served in its hand-written form: the encoder's bytes, and read back
    /// (from either form) to what `JSONDecoder` reads.
    @Test func reportMatchesTheEncoderAndReadsBackLikeTheDecoder() throws {
        var rng = SeededGenerator(seed: 13)
        for _ in 0..<300 {
            let report = Self.randomReport(&rng)
            let encoded = Array(try Self.reference.encode(report))
            #expect(report.jsonBytes == encoded)
            let decoded = try JSONDecoder().decode(DrillReport.self, from: Data(encoded))
            #expect(try DrillReport(json: JSONValue(parsing: encoded)) == decoded)
        }
    }

    @Test func reportReaderTakesWhatTheDecoderTakesAndRefusesWhatItRefuses() throws {
        let minimal = #"{"id":"op1","account":"a","provider":"p","protectionGroupId":"g","name":"n","requestedAt":"2026-12-06T07:00:00.250Z","outcome":"passed","rtoTargetSeconds":3.0}"#
        let read = try DrillReport(json: JSONValue(parsing: Array(minimal.utf8)))
        #expect(read == (try JSONDecoder().decode(DrillReport.self, from: Data(minimal.utf8))))
        #expect(read.operations.isEmpty && read.cleanupStatus == .none && read.rtoTargetSeconds == 3)
        for broken in [
            #"{"id":"op1","account":"a","provider":"p","protectionGroupId":"g","name":"n","outcome":"passed"}"#,
            #"{"id":"op1","account":"a","provider":"p","protectionGroupId":"g","name":"n","requestedAt":"yesterday","outcome":"passed"}"#,
            #"{"id":"op1","account":"a","provider":"p","protectionGroupId":"g","name":"n","requestedAt":"2026-12-06T07:00:00Z","outcome":"maybe"}"#,
            #"{"id":"op1","account":"a","provider":"p","protectionGroupId":"g","name":"n","requestedAt":"2026-12-06T07:00:00Z","outcome":"passed","findings":[1]}"#,
            #"{"id":"op1","account":"a","provider":"p","protectionGroupId":"g","name":"n","requestedAt":"2026-12-06T07:00:00Z","outcome":"passed","rtoTargetSeconds":2.5}"#,
            "[]",
        ] {
            #expect(throws: (any Error).self) { try DrillReport(json: JSONValue(parsing: Array(broken.utf8))) }
            #expect(throws: (any Error).self) { try JSONDecoder().decode(DrillReport.self, from: Data(broken.utf8)) }
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
