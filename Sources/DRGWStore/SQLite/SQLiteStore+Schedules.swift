import DRGWCore
import Foundation
import GRDB

/// Drill schedules in SQLite: the due time and owner in columns, the schedule as JSON.
extension SQLiteStore: ScheduleStore {
    /// Schema of the schedules (appended to `migrations`); plain SQL that PostgreSQL runs as is.
    static let scheduleMigration: [String] = [
        """
        CREATE TABLE drill_schedules (
            id TEXT PRIMARY KEY, tenant TEXT NOT NULL, account TEXT NOT NULL, enabled INTEGER NOT NULL,
            next_run_at REAL, created_at REAL NOT NULL, body TEXT NOT NULL)
        """,
        "CREATE INDEX drill_schedules_due ON drill_schedules(enabled, next_run_at)",
        "CREATE INDEX drill_schedules_tenant ON drill_schedules(tenant, created_at, id)",
    ]

    private static func scheduleBody(_ schedule: Schedule) throws -> String {
        try EvidenceRecord.body(schedule)
    }

    private static func decodeSchedule(_ row: Row) -> StoredSchedule? {
        guard let tenant = row["tenant"] as String?, let body = row["body"] as String? else { return nil }
        return EvidenceRecord.schedule(tenant: tenant, body: body, nextRunAt: row["next_run_at"] as Double?)
    }

    public func insertSchedule(_ stored: StoredSchedule) async throws {
        let s = stored.schedule
        let arguments: StatementArguments = [
            s.id, stored.tenant, s.account, s.enabled ? 1 : 0, s.nextRunAt?.timeIntervalSince1970, s.createdAt.timeIntervalSince1970,
            try Self.scheduleBody(s),
        ]
        try await batcher.write { db in
            try db.execute(
                sql: """
                    INSERT INTO drill_schedules (id, tenant, account, enabled, next_run_at, created_at, body)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: arguments)
        }
    }

    public func schedule(id: String, tenant: String) async throws -> StoredSchedule? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT tenant, body, next_run_at FROM drill_schedules WHERE id = ? AND tenant = ?", arguments: [id, tenant]
            ).flatMap(Self.decodeSchedule)
        }
    }

    public func schedules(tenant: String, cursor: String?, limit: Int) async throws -> Page<StoredSchedule> {
        try await keysetPage(
            "SELECT tenant, body, next_run_at, created_at, id FROM drill_schedules WHERE tenant = ?", arguments: [tenant], cursor: cursor,
            KeysetPage(prefix: "sch", column: "created_at", descending: false, limit: max(1, min(limit, 200))), decode: Self.decodeSchedule)
    }

    public func deleteSchedule(id: String, tenant: String) async throws -> Bool {
        try await batcher.write { db in
            try db.execute(sql: "DELETE FROM drill_schedules WHERE id = ? AND tenant = ?", arguments: [id, tenant])
            return db.changesCount > 0
        }
    }

    public func dueSchedules(at now: Date, limit: Int) async throws -> [StoredSchedule] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT tenant, body, next_run_at FROM drill_schedules
                    WHERE enabled = 1 AND next_run_at IS NOT NULL AND next_run_at <= ?
                    ORDER BY next_run_at LIMIT ?
                    """,
                arguments: [now.timeIntervalSince1970, limit]
            ).compactMap(Self.decodeSchedule)
        }
    }

    public func advanceSchedule(
        id: String, from slot: Date, to next: Date?, lastRunAt: Date, lastOperationId: String?, lastError: String?
    ) async throws -> Bool {
        try await batcher.write { db -> Bool in
            guard
                var stored = try Row.fetchOne(
                    db, sql: "SELECT tenant, body, next_run_at FROM drill_schedules WHERE id = ? AND next_run_at = ?",
                    arguments: [id, slot.timeIntervalSince1970]
                ).flatMap(Self.decodeSchedule)
            else { return false }
            stored.schedule.nextRunAt = next
            stored.schedule.lastRunAt = lastRunAt
            if let lastOperationId { stored.schedule.lastOperationId = lastOperationId }
            stored.schedule.lastError = lastError
            try db.execute(
                sql: "UPDATE drill_schedules SET next_run_at = ?, body = ? WHERE id = ? AND next_run_at = ?",
                arguments: [next?.timeIntervalSince1970, try Self.scheduleBody(stored.schedule), id, slot.timeIntervalSince1970])
            return db.changesCount > 0
        }
    }

    public func recordScheduleRun(id: String, at: Date, operationId: String?, error: String?) async throws {
        try await batcher.write { db in
            guard
                var stored = try Row.fetchOne(db, sql: "SELECT tenant, body, next_run_at FROM drill_schedules WHERE id = ?", arguments: [id])
                    .flatMap(Self.decodeSchedule)
            else { return }
            stored.schedule.lastRunAt = at
            if let operationId { stored.schedule.lastOperationId = operationId }
            stored.schedule.lastError = error
            try db.execute(sql: "UPDATE drill_schedules SET body = ? WHERE id = ?", arguments: [try Self.scheduleBody(stored.schedule), id])
        }
    }
}
