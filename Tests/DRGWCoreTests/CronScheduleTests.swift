import DRGWCore
import Foundation
import Testing

@Suite("Cron expressions: next fire times, DST included")
struct CronScheduleTests {
    struct Case: CustomStringConvertible, Sendable {
        var cron: String
        var zone: String
        var after: String
        var expected: String
        var description: String { "\(cron) [\(zone)] after \(after)" }
    }

    /// Expected times worked out by hand from the calendar (2026-03-01 is a Sunday; New York
    /// springs forward 2026-03-08 02:00 and falls back 2026-11-01 02:00; Berlin 2026-03-29 02:00
    /// and 2026-10-25 03:00).
    static let cases: [Case] = [
        Case(cron: "*/15 * * * *", zone: "UTC", after: "2026-03-01T10:07:30Z", expected: "2026-03-01T10:15:00Z"),
        Case(cron: "0 9 * * 1-5", zone: "UTC", after: "2026-03-06T09:00:00Z", expected: "2026-03-09T09:00:00Z"),
        Case(cron: "0 0 29 2 *", zone: "UTC", after: "2026-03-01T00:00:00Z", expected: "2028-02-29T00:00:00Z"),
        Case(cron: "*/10 * * * * *", zone: "UTC", after: "2026-01-01T00:00:05Z", expected: "2026-01-01T00:00:10Z"),
        Case(cron: "0 0 13 * 5", zone: "UTC", after: "2026-03-01T00:00:00Z", expected: "2026-03-06T00:00:00Z"),
        Case(cron: "0 12 1 jan,jul *", zone: "UTC", after: "2026-02-01T00:00:00Z", expected: "2026-07-01T12:00:00Z"),
        Case(cron: "0 0 * * 7", zone: "UTC", after: "2026-03-02T00:00:00Z", expected: "2026-03-08T00:00:00Z"),
        Case(cron: "5 4 * * sun", zone: "UTC", after: "2026-03-02T00:00:00Z", expected: "2026-03-08T04:05:00Z"),
        Case(cron: "0 30 8 ? * mon", zone: "UTC", after: "2026-03-02T08:30:00Z", expected: "2026-03-09T08:30:00Z"),
        Case(cron: "@daily", zone: "Asia/Kathmandu", after: "2026-01-01T00:00:00Z", expected: "2026-01-01T18:15:00Z"),
        Case(cron: "@hourly", zone: "UTC", after: "2026-01-01T00:59:59Z", expected: "2026-01-01T01:00:00Z"),
        // Spring forward: 02:30 does not exist on 2026-03-08 in New York; it fires at 03:00 EDT.
        Case(cron: "30 2 * * *", zone: "America/New_York", after: "2026-03-07T17:00:00Z", expected: "2026-03-08T07:00:00Z"),
        Case(cron: "30 2 * * *", zone: "America/New_York", after: "2026-03-08T07:00:00Z", expected: "2026-03-09T06:30:00Z"),
        // Fall back: 01:30 happens twice on 2026-11-01; it fires at the first one only.
        Case(cron: "30 1 * * *", zone: "America/New_York", after: "2026-10-31T16:00:00Z", expected: "2026-11-01T05:30:00Z"),
        Case(cron: "30 1 * * *", zone: "America/New_York", after: "2026-11-01T05:30:00Z", expected: "2026-11-02T06:30:00Z"),
        // An hourly-or-finer schedule keeps running through the repeated hour.
        Case(cron: "*/30 * * * *", zone: "America/New_York", after: "2026-11-01T05:45:00Z", expected: "2026-11-01T06:00:00Z"),
        Case(cron: "0 * * * *", zone: "America/New_York", after: "2026-11-01T05:00:00Z", expected: "2026-11-01T06:00:00Z"),
        // Berlin: 02:00 skipped on 2026-03-29 (fires at 03:00 CEST = 01:00Z); 02:30 twice on 2026-10-25.
        Case(cron: "0 2 * * *", zone: "Europe/Berlin", after: "2026-03-28T12:00:00Z", expected: "2026-03-29T01:00:00Z"),
        Case(cron: "30 2 * * *", zone: "Europe/Berlin", after: "2026-10-24T12:00:00Z", expected: "2026-10-25T00:30:00Z"),
        Case(cron: "30 2 * * *", zone: "Europe/Berlin", after: "2026-10-25T00:30:00Z", expected: "2026-10-26T01:30:00Z"),
    ]

    @Test("next fire time", arguments: cases)
    func next(_ c: Case) throws {
        let cron = try CronSchedule(parsing: c.cron)
        let zone = try #require(TimeZone(identifier: c.zone))
        let after = try #require(Timestamp.parseISO8601Seconds(c.after))
        let next = try #require(cron.nextDate(after: after, in: zone))
        #expect(Timestamp.iso8601Seconds(next) == c.expected)
    }

    @Test("a slot equal to the start is not returned again; times are whole seconds")
    func strictlyAfter() throws {
        let cron = try CronSchedule(parsing: "* * * * * *")
        let start = Date(timeIntervalSince1970: 1_800_000_000.4)
        let next = try #require(cron.nextDate(after: start, in: .gmt))
        #expect(next.timeIntervalSince1970 == 1_800_000_001)
    }

    @Test(
        "bad expressions are refused, naming the field",
        arguments: [
            ("", "expression"), ("* * * *", "expression"), ("* * * * * * *", "expression"), ("60 * * * *", "minute"),
            ("*/0 * * * *", "minute"), ("5-1 * * * *", "minute"), ("0 24 * * *", "hour"), ("0 0 31 2 *", "dayOfMonth"),
            ("abc * * * *", "minute"), ("0 0 * 13 *", "month"), ("0 0 * * mon-", "dayOfWeek"), ("? * * * *", "minute"),
            ("0 0 1,,2 * *", "dayOfMonth"),
        ])
    func refused(_ expression: String, _ field: String) {
        #expect(throws: CronSchedule.ParseError.self) { try CronSchedule(parsing: expression) }
        do {
            _ = try CronSchedule(parsing: expression)
        } catch {
            #expect(error.field == field, "\(expression): \(error.message)")
        }
    }
}
