import DRGWCore
import Foundation

/// How reports and schedules are laid out in a store's row, the same for SQLite and PostgreSQL:
/// the resource as one JSON text, plus the columns queries filter on at full precision.
enum EvidenceRecord {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// A report's JSON text (its hand-written writer: the same bytes as `encoder` gives).
    static func body(_ report: DrillReport) throws -> String {
        String(decoding: report.jsonBytes, as: UTF8.self)
    }

    static func body(_ schedule: Schedule) throws -> String {
        String(decoding: try encoder.encode(schedule), as: UTF8.self)
    }

    /// The stored report; the time columns keep the full precision (the JSON has milliseconds).
    static func report(
        tenant: String, body: String, requestedAt: Double?, nextCheckAt: Double?, deleteAttempts: Int?, slot: Double?
    ) -> StoredReport? {
        guard let document = try? JSONValue(parsing: Array(body.utf8)), var report = try? DrillReport(json: document) else { return nil }
        if let requestedAt { report.requestedAt = Date(timeIntervalSince1970: requestedAt) }
        return StoredReport(
            tenant: tenant, report: report, nextCheckAt: nextCheckAt.map(Date.init(timeIntervalSince1970:)),
            deleteAttempts: deleteAttempts ?? 0, slot: slot.map(Date.init(timeIntervalSince1970:)))
    }

    /// The label fields of a stored report body; nil when the body is not a report.
    static func label(body: String) -> DrillLabel? {
        guard let document = try? JSONValue(parsing: Array(body.utf8)), let name = document["name"]?.stringValue else { return nil }
        return DrillLabel(name: name, expiresAt: document["expiresAt"]?.stringValue.flatMap(Timestamp.parseRFC3339))
    }

    /// The stored schedule; the slot is compared exactly, so it comes from its column.
    static func schedule(tenant: String, body: String, nextRunAt: Double?) -> StoredSchedule? {
        guard var schedule = try? JSONDecoder().decode(Schedule.self, from: Data(body.utf8)) else { return nil }
        schedule.nextRunAt = nextRunAt.map(Date.init(timeIntervalSince1970:))
        return StoredSchedule(tenant: tenant, schedule: schedule)
    }

    /// A keyset cursor: the sort column's value and the row id.
    static func cursor(prefix: String, time: Double, id: String) -> String {
        OpaqueID.encode(prefix: prefix, parts: ["\(time)", id])
    }

    static func position(_ cursor: String, prefix: String) throws -> (Double, String) {
        guard let parts = OpaqueID.decode(prefix: prefix, id: cursor), parts.count == 2, let time = Double(parts[0]), time.isFinite
        else { throw StoreCursorError() }
        return (time, parts[1])
    }
}
