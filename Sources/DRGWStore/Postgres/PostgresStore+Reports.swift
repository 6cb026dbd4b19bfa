import DRGWCore
import Foundation
import PostgresNIO

extension PostgresStore: DrillReportStore {
    static let reportColumns = "tenant, body, next_check_at, delete_attempts, slot, requested_at, id"
    typealias ReportRow = PostgresStatements.ReportColumns

    static func decodeReport(_ row: ReportRow) -> StoredReport? {
        EvidenceRecord.report(tenant: row.0, body: row.1, requestedAt: row.5, nextCheckAt: row.2, deleteAttempts: row.3, slot: row.4)
    }

    /// Reports a query returns, in order.
    func reportRows(_ query: PostgresQuery) async throws -> [ReportRow] {
        let client = self.client
        let logger = self.logger
        return try await run {
            var rows: [ReportRow] = []
            for try await row in try await client.query(query, logger: logger).decode(ReportRow.self) { rows.append(row) }
            return rows
        }
    }

    public func insertReport(_ report: StoredReport) async throws -> Bool {
        let statement = PostgresStatements.InsertReport(id: report.report.id, values: try PostgresReportValues(report))
        return try await !rows(statement).isEmpty
    }

    public func report(id: String) async throws -> StoredReport? {
        try await rows(PostgresStatements.ReportByID(id: id)).first.flatMap(Self.decodeReport)
    }

    public func report(account: String, drillId: String) async throws -> StoredReport? {
        try await reportRows(
            """
            SELECT tenant, body, next_check_at, delete_attempts, slot, requested_at, id FROM drill_reports
            WHERE account = \(account) AND drill_id = \(drillId) ORDER BY requested_at DESC, id DESC LIMIT 1
            """
        ).first.flatMap(Self.decodeReport)
    }

    public func drillLabel(account: String, drillId: String) async throws -> DrillLabel? {
        try await rows(PostgresStatements.NewestReportBody(account: account, drillId: drillId)).first.flatMap(EvidenceRecord.label)
    }

    public func reports(account: String, drillIds: [String]) async throws -> [StoredReport] {
        guard !drillIds.isEmpty else { return [] }
        let ids = Array(Array(Set(drillIds)).prefix(500))
        let rows = try await reportRows(
            """
            SELECT tenant, body, next_check_at, delete_attempts, slot, requested_at, id FROM drill_reports
            WHERE account = \(account) AND drill_id = ANY(\(ids)) ORDER BY requested_at ASC, id ASC
            """)
        // Newest last, so that it wins per drill id.
        var newest: [String: StoredReport] = [:]
        for stored in rows.compactMap(Self.decodeReport) { newest[stored.report.drillId ?? ""] = stored }
        return Array(newest.values)
    }

    public func report(scheduleId: String, slot: Date) async throws -> StoredReport? {
        try await reportRows(
            """
            SELECT tenant, body, next_check_at, delete_attempts, slot, requested_at, id FROM drill_reports
            WHERE schedule_id = \(scheduleId) AND slot = \(slot.timeIntervalSince1970) LIMIT 1
            """
        ).first.flatMap(Self.decodeReport)
    }

    public func listReports(_ query: ReportQuery) async throws -> Page<StoredReport> {
        if query.accounts.isEmpty { return Page(items: []) }
        var builder = PostgresQueryBuilder("")
        var sql = "SELECT \(Self.reportColumns) FROM drill_reports WHERE account = ANY(\(try builder.bind(query.accounts)))"
        if let group = query.protectionGroupId { sql += " AND protection_group_id = \(try builder.bind(group))" }
        if let from = query.from { sql += " AND requested_at >= \(try builder.bind(from.timeIntervalSince1970))" }
        if let to = query.to { sql += " AND requested_at < \(try builder.bind(to.timeIntervalSince1970))" }
        if let outcome = query.outcome { sql += " AND outcome = \(try builder.bind(outcome.rawValue))" }
        if let schedule = query.scheduleId { sql += " AND schedule_id = \(try builder.bind(schedule))" }
        if let cursor = query.cursor {
            let (time, id) = try EvidenceRecord.position(cursor, prefix: "rpt")
            let t = try builder.bind(time)
            sql += " AND (requested_at < \(t) OR (requested_at = \(t) AND id < \(try builder.bind(id))))"
        }
        let limit = max(1, min(query.limit, 500))
        builder.sql = sql + " ORDER BY requested_at DESC, id DESC LIMIT \(limit + 1)"
        let rows = try await reportRows(builder.query)
        let slice = Array(rows.prefix(limit))
        let next = rows.count > limit ? slice.last.map { EvidenceRecord.cursor(prefix: "rpt", time: $0.5, id: $0.6) } : nil
        return Page(items: slice.compactMap(Self.decodeReport), nextCursor: next)
    }

    /// A read-change-write of one report (the optimistic loop below).
    public func updateReport(id: String, _ change: @escaping @Sendable (inout StoredReport) -> Void) async throws -> StoredReport? {
        try await updateReport(id: id, assumed: nil, change)
    }

    /// First tries the change on the caller's earlier read, assuming the row is unchanged (its
    /// columns are what that report writes, the same bytes); a changed row fails the compare and
    /// the usual read-change-write follows.
    public func updateReport(_ read: StoredReport, _ change: @escaping @Sendable (inout StoredReport) -> Void) async throws -> StoredReport? {
        let values = try PostgresReportValues(read)
        let row: ReportRow = (values.tenant, values.body, values.nextCheckAt, values.deleteAttempts, values.slot, values.requestedAt, read.report.id)
        return try await updateReport(id: read.report.id, assumed: (row, read), change)
    }

    /// Optimistic: read, change, write only if the row is still what was read (two prepared
    /// statements, no connection held while `change` runs); after a few lost races the change is
    /// made under a row lock. `change` may run more than once, each time on a fresh read.
    private func updateReport(
        id: String, assumed: (row: ReportRow, report: StoredReport)?, _ change: @escaping @Sendable (inout StoredReport) -> Void
    ) async throws -> StoredReport? {
        var assumed = assumed
        for _ in 0..<3 {
            let read: ReportRow
            var stored: StoredReport
            if let known = assumed {
                (read, stored) = known
                assumed = nil
            } else {
                guard let row = try await rows(PostgresStatements.ReportByID(id: id)).first, let decoded = Self.decodeReport(row) else {
                    return nil
                }
                (read, stored) = (row, decoded)
            }
            change(&stored)
            stored.report.id = id
            let write = PostgresStatements.UpdateReportIfUnchanged(id: id, values: try PostgresReportValues(stored), read: read)
            if try await !rows(write).isEmpty { return stored }
        }
        return try await updateReportLocked(id: id, change)
    }

    /// The same change inside a transaction holding the row (`SELECT … FOR UPDATE`).
    func updateReportLocked(id: String, _ change: @escaping @Sendable (inout StoredReport) -> Void) async throws -> StoredReport? {
        let client = self.client
        let logger = self.logger
        return try await run {
            try await client.withTransaction(logger: logger) { connection -> StoredReport? in
                var current: ReportRow?
                for try await row in try await connection.query(
                    "SELECT tenant, body, next_check_at, delete_attempts, slot, requested_at, id FROM drill_reports WHERE id = \(id) FOR UPDATE",
                    logger: logger
                ).decode(ReportRow.self) {
                    current = row
                }
                guard let row = current, var stored = Self.decodeReport(row) else { return nil }
                change(&stored)
                stored.report.id = id
                _ = try await connection.execute(PostgresStatements.UpdateReport(id: id, values: try PostgresReportValues(stored)), logger: logger)
                return stored
            }
        }
    }

    public func claimDueReports(at now: Date, limit: Int, leaseSeconds: Double) async throws -> [StoredReport] {
        let t = now.timeIntervalSince1970
        return try await reportRows(
            """
            UPDATE drill_reports r SET next_check_at = \(t + leaseSeconds)
            FROM (SELECT id FROM drill_reports WHERE next_check_at IS NOT NULL AND next_check_at <= \(t)
                  ORDER BY next_check_at LIMIT \(limit) FOR UPDATE SKIP LOCKED) due
            WHERE r.id = due.id
            RETURNING r.tenant, r.body, r.next_check_at, r.delete_attempts, r.slot, r.requested_at, r.id
            """
        ).compactMap(Self.decodeReport)
    }

    public func leftoverCounts() async throws -> [String: Int] {
        let client = self.client
        let logger = self.logger
        return try await run {
            var counts: [String: Int] = [:]
            for try await (account, n) in try await client.query(
                "SELECT account, COUNT(*) FROM drill_reports WHERE cleanup_status = 'leftover' GROUP BY account", logger: logger
            ).decode((String, Int).self) {
                counts[account] = n
            }
            return counts
        }
    }

    public func groupSuccesses() async throws -> [GroupSuccess] {
        let client = self.client
        let logger = self.logger
        return try await run {
            var successes: [GroupSuccess] = []
            for try await (account, group, last) in try await client.query(
                """
                SELECT account, protection_group_id,
                  MAX(CASE WHEN ready_at IS NOT NULL AND outcome <> 'failed' THEN ready_at END)
                FROM drill_reports GROUP BY account, protection_group_id
                """, logger: logger
            ).decode((String, String, Double?).self) {
                successes.append(GroupSuccess(account: account, protectionGroupId: group, lastSuccess: last.map(Date.init(timeIntervalSince1970:))))
            }
            return successes
        }
    }

    /// The first column of each row, as integers (for `RETURNING 1` and counts).
    func integers(_ query: PostgresQuery) async throws -> [Int] {
        let client = self.client
        let logger = self.logger
        return try await run {
            var values: [Int] = []
            for try await value in try await client.query(query, logger: logger).decode(Int.self) { values.append(value) }
            return values
        }
    }
}
