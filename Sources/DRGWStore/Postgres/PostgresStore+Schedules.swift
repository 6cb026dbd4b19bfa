import DRGWCore
import Foundation
import PostgresNIO

extension PostgresStore: ScheduleStore {
    typealias ScheduleRow = (String, String, Double?, Double, String)

    func scheduleRows(_ query: PostgresQuery) async throws -> [ScheduleRow] {
        let client = self.client
        let logger = self.logger
        return try await run {
            var rows: [ScheduleRow] = []
            for try await row in try await client.query(query, logger: logger).decode(ScheduleRow.self) { rows.append(row) }
            return rows
        }
    }

    static func decodeSchedule(_ row: ScheduleRow) -> StoredSchedule? {
        EvidenceRecord.schedule(tenant: row.0, body: row.1, nextRunAt: row.2)
    }

    public func insertSchedule(_ stored: StoredSchedule) async throws {
        let s = stored.schedule
        let body = try EvidenceRecord.body(s)
        _ = try await integers(
            """
            INSERT INTO drill_schedules (id, tenant, account, enabled, next_run_at, created_at, body)
            VALUES (\(s.id), \(stored.tenant), \(s.account), \(s.enabled), \(s.nextRunAt?.timeIntervalSince1970), \(s.createdAt.timeIntervalSince1970), \(body))
            RETURNING 1
            """)
    }

    public func schedule(id: String, tenant: String) async throws -> StoredSchedule? {
        try await scheduleRows(
            "SELECT tenant, body, next_run_at, created_at, id FROM drill_schedules WHERE id = \(id) AND tenant = \(tenant)"
        ).first.flatMap(Self.decodeSchedule)
    }

    public func schedules(tenant: String, cursor: String?, limit: Int) async throws -> Page<StoredSchedule> {
        var builder = PostgresQueryBuilder("")
        var sql = "SELECT tenant, body, next_run_at, created_at, id FROM drill_schedules WHERE tenant = \(try builder.bind(tenant))"
        if let cursor {
            let (time, id) = try EvidenceRecord.position(cursor, prefix: "sch")
            let t = try builder.bind(time)
            sql += " AND (created_at > \(t) OR (created_at = \(t) AND id > \(try builder.bind(id))))"
        }
        let limit = max(1, min(limit, 200))
        builder.sql = sql + " ORDER BY created_at ASC, id ASC LIMIT \(limit + 1)"
        let rows = try await scheduleRows(builder.query)
        let slice = Array(rows.prefix(limit))
        let next = rows.count > limit ? slice.last.map { EvidenceRecord.cursor(prefix: "sch", time: $0.3, id: $0.4) } : nil
        return Page(items: slice.compactMap(Self.decodeSchedule), nextCursor: next)
    }

    public func deleteSchedule(id: String, tenant: String) async throws -> Bool {
        try await !integers("DELETE FROM drill_schedules WHERE id = \(id) AND tenant = \(tenant) RETURNING 1").isEmpty
    }

    public func dueSchedules(at now: Date, limit: Int) async throws -> [StoredSchedule] {
        try await scheduleRows(
            """
            SELECT tenant, body, next_run_at, created_at, id FROM drill_schedules
            WHERE enabled AND next_run_at IS NOT NULL AND next_run_at <= \(now.timeIntervalSince1970)
            ORDER BY next_run_at LIMIT \(limit)
            """
        ).compactMap(Self.decodeSchedule)
    }

    /// Compare-and-set on the slot: of several replicas firing one slot, one moves it on.
    public func advanceSchedule(
        id: String, from slot: Date, to next: Date?, lastRunAt: Date, lastOperationId: String?, lastError: String?
    ) async throws -> Bool {
        try await changeSchedule(id: id, slot: slot, nextRunAt: .some(next)) { schedule in
            schedule.nextRunAt = next
            schedule.lastRunAt = lastRunAt
            if let lastOperationId { schedule.lastOperationId = lastOperationId }
            schedule.lastError = lastError
        }
    }

    public func recordScheduleRun(id: String, at: Date, operationId: String?, error: String?) async throws {
        _ = try await changeSchedule(id: id, slot: nil, nextRunAt: nil) { schedule in
            schedule.lastRunAt = at
            if let operationId { schedule.lastOperationId = operationId }
            schedule.lastError = error
        }
    }

    /// Reads the row (only while its slot is `slot`, when given) under a row lock, changes the
    /// schedule and writes it back, with `nextRunAt` into its column when given.
    private func changeSchedule(
        id: String, slot: Date?, nextRunAt: Date??, _ change: @escaping @Sendable (inout Schedule) -> Void
    ) async throws -> Bool {
        let client = self.client
        let logger = self.logger
        return try await run {
            try await client.withTransaction(logger: logger) { connection -> Bool in
                var query: PostgresQuery = "SELECT tenant, body, next_run_at, created_at, id FROM drill_schedules WHERE id = \(id)"
                if let slot {
                    query = "SELECT tenant, body, next_run_at, created_at, id FROM drill_schedules WHERE id = \(id) AND next_run_at = \(slot.timeIntervalSince1970)"
                }
                query.sql += " FOR UPDATE"
                var found: ScheduleRow?
                for try await row in try await connection.query(query, logger: logger).decode(ScheduleRow.self) { found = row }
                guard let row = found, var stored = Self.decodeSchedule(row) else { return false }
                change(&stored.schedule)
                let body = try EvidenceRecord.body(stored.schedule)
                if let nextRunAt {
                    try await connection.query(
                        "UPDATE drill_schedules SET next_run_at = \(nextRunAt?.timeIntervalSince1970), body = \(body) WHERE id = \(id)",
                        logger: logger)
                } else {
                    try await connection.query("UPDATE drill_schedules SET body = \(body) WHERE id = \(id)", logger: logger)
                }
                return true
            }
        }
    }
}
