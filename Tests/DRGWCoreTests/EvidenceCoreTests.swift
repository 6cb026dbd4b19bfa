import DRGWCore
import Foundation
import Testing

@Suite("ISO 8601 durations for cleanupAfter")
struct ISO8601DurationTests {
    @Test(
        "accepted", arguments: [("PT1S", 1), ("PT2H", 7200), ("P1DT12H", 129_600), ("P30D", 2_592_000), ("P2W", 1_209_600),
        ("PT90M", 5400), ("pt1h30m5s", 5405), ("P1DT1H1M1S", 90061)])
    func accepted(_ text: String, _ seconds: Int) throws {
        #expect(try ISO8601Duration(parsing: text).seconds == seconds)
    }

    @Test("refused", arguments: ["", "P", "PT", "P1DT", "2H", "PT2", "P1M", "P1Y", "PT1H2H", "PT1M1H", "P1.5D", "PT-1S", "P1H"])
    func refused(_ text: String) {
        #expect(throws: ISO8601Duration.ParseError.self) { try ISO8601Duration(parsing: text) }
    }

    @Test("years and months are refused with their own reason")
    func calendarUnits() {
        do {
            _ = try ISO8601Duration(parsing: "P1M")
            Issue.record("P1M was accepted")
        } catch {
            #expect(error.code == "calendar")
        }
    }
}

@Suite("CSV writing and reading back")
struct CSVWriterTests {
    @Test("quoting, doubled quotes, line breaks and formula guards round-trip")
    func roundTrip() throws {
        let rows = [
            ["plain", "with,comma", "with \"quote\"", "two\r\nlines", ""],
            ["=SUM(A1)", "+1", "@cmd", "-", "ünïcødé"],
        ]
        var writer = CSVWriter()
        for row in rows { writer.row(row) }
        #expect(writer.text.hasPrefix("plain,\"with,comma\",\"with \"\"quote\"\"\",\"two\r\nlines\",\r\n"))
        let parsed = try #require(CSVWriter.parse(writer.text))
        #expect(parsed[0] == rows[0])
        #expect(parsed[1] == ["'=SUM(A1)", "'+1", "'@cmd", "'-", "ünïcødé"])
    }

    @Test("an unclosed quote does not parse")
    func unclosed() {
        #expect(CSVWriter.parse("a,\"b\r\n") == nil)
    }
}

@Suite("Drill verdicts")
struct DrillVerdictTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("RTO is ready minus requested, to the millisecond")
    func rto() {
        #expect(DrillVerdict.rtoSeconds(requestedAt: start, readyAt: start.addingTimeInterval(3.2344)) == 3.234)
        #expect(DrillVerdict.rtoSeconds(requestedAt: start, readyAt: start.addingTimeInterval(-1)) == 0)
    }

    @Test("RPO is the drill start minus the recovery point")
    func rpo() {
        #expect(DrillVerdict.rpoSeconds(recoveryPoint: start.addingTimeInterval(-95), drillStart: start) == 95)
        #expect(DrillVerdict.rpoSeconds(recoveryPoint: start.addingTimeInterval(5), drillStart: start) == 0)
    }

    @Test("within targets stays pending; a missed target or a failure fails")
    func judge() {
        #expect(DrillVerdict.judge(drillFailed: false, rtoSeconds: 3, rpoSeconds: 60, rtoTargetSeconds: 5, rpoTargetSeconds: 120).outcome == .pending)
        let late = DrillVerdict.judge(drillFailed: false, rtoSeconds: 7.5, rpoSeconds: 0, rtoTargetSeconds: 5, rpoTargetSeconds: nil)
        #expect(late.outcome == .failed)
        #expect(late.findings == ["RTO 7.5 s missed the target of 5 s"])
        #expect(DrillVerdict.judge(drillFailed: false, rtoSeconds: 1, rpoSeconds: 121, rtoTargetSeconds: nil, rpoTargetSeconds: 120).outcome == .failed)
        #expect(DrillVerdict.judge(drillFailed: true, rtoSeconds: nil, rpoSeconds: nil, rtoTargetSeconds: nil, rpoTargetSeconds: nil).outcome == .failed)
        let unknown = DrillVerdict.judge(drillFailed: false, rtoSeconds: 1, rpoSeconds: nil, rtoTargetSeconds: nil, rpoTargetSeconds: 60)
        #expect(unknown.outcome == .pending)
        #expect(unknown.findings.count == 1)
    }

    @Test("the report writes every contract member, null when unknown, and reads back")
    func reportJSON() throws {
        var report = DrillReport(id: "op_1", account: "a", provider: "p", protectionGroupId: "g", name: "n", requestedAt: start)
        report.rtoSeconds = 2.5
        let data = try JSONEncoder().encode(report)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in [
            "drillId", "account", "provider", "protectionGroupId", "name", "requestedAt", "readyAt", "rtoSeconds", "rpoSeconds",
            "rtoTargetSeconds", "rpoTargetSeconds", "outcome", "notes", "expiresAt", "cleanedUpAt", "cleanupVerified", "operations",
            "providerRequestIds",
        ] {
            #expect(object.keys.contains(key), "missing \(key)")
        }
        #expect(object["readyAt"] is NSNull)
        #expect(object["requestedAt"] as? String == "2027-01-15T08:00:00.000Z")
        #expect(try JSONDecoder().decode(DrillReport.self, from: data) == report)
    }
}
