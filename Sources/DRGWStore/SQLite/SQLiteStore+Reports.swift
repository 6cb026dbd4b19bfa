import DRGWCore
import Foundation
import GRDB

/// Drill reports in SQLite: indexed columns for filtering and claiming, the report itself as JSON.
extension SQLiteStore: DrillReportStore {
    /// Schema of the reports (appended to `migrations`). Plain SQL that PostgreSQL runs as is,
    /// with `REAL` read as `DOUBLE PRECISION` (epoch seconds).
    static let reportMigration: [String] = [
        """
        CREATE TABLE drill_reports (
            id TEXT PRIMARY KEY, tenant TEXT NOT NULL, account TEXT NOT NULL, protection_group_id TEXT NOT NULL,
            drill_id TEXT, requested_at REAL NOT NULL, ready_at REAL, outcome TEXT NOT NULL, cleanup_status TEXT NOT NULL,
            next_check_at REAL, delete_attempts INTEGER NOT NULL, schedule_id TEXT, slot REAL, body TEXT NOT NULL)
        """,
        "CREATE INDEX drill_reports_drill ON drill_reports(account, drill_id)",
        "CREATE INDEX drill_reports_time ON drill_reports(requested_at, id)",
        "CREATE INDEX drill_reports_check ON drill_reports(next_check_at)",
        "CREATE INDEX drill_reports_slot ON drill_reports(schedule_id, slot)",
    ]

    private static let reportColumns =
        "tenant, body, next_check_at, delete_attempts, slot, requested_at"

    /// The values of every column but `id`, in table order.
    private static func reportValues(_ stored: StoredReport) throws -> [(any DatabaseValueConvertible)?] {
        let r = stored.report
        let body = try EvidenceRecord.body(r)
        return [
            stored.tenant, r.account, r.protectionGroupId, r.drillId, r.requestedAt.timeIntervalSince1970,
            r.readyAt?.timeIntervalSince1970, r.outcome.rawValue, r.cleanupStatus.rawValue, stored.nextCheckAt?.timeIntervalSince1970,
            stored.deleteAttempts, r.scheduleId, stored.slot?.timeIntervalSince1970, body,
        ]
    }

    private static func decodeReport(_ row: Row) -> StoredReport? {
        guard let tenant = row["tenant"] as String?, let body = row["body"] as String? else { return nil }
        return EvidenceRecord.report(
            tenant: tenant, body: body, requestedAt: row["requested_at"] as Double?, nextCheckAt: row["next_check_at"] as Double?,
            deleteAttempts: row["delete_attempts"] as Int?, slot: row["slot"] as Double?)
    }

    private static let insertReportSQL = """
        INSERT INTO drill_reports (id, tenant, account, protection_group_id, drill_id, requested_at, ready_at, outcome,
          cleanup_status, next_check_at, delete_attempts, schedule_id, slot, body)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(id) DO NOTHING
        """

    public func insertReport(_ report: StoredReport) async throws -> Bool {
        let arguments = StatementArguments([report.report.id] + (try Self.reportValues(report)))
        return try await batcher.write { db in
            try db.cachedStatement(sql: Self.insertReportSQL).execute(arguments: arguments)
            return db.changesCount > 0
        }
    }

    public func report(id: String) async throws -> StoredReport? {
        try await writer.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.reportColumns) FROM drill_reports WHERE id = ?"), arguments: [id])
                .flatMap(Self.decodeReport)
        }
    }

    public func report(account: String, drillId: String) async throws -> StoredReport? {
        try await writer.read { db in
            try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT \(Self.reportColumns) FROM drill_reports WHERE account = ? AND drill_id = ?
                        ORDER BY requested_at DESC, id DESC LIMIT 1
                        """),
                arguments: [account, drillId]
            ).flatMap(Self.decodeReport)
        }
    }

    public func drillLabel(account: String, drillId: String) async throws -> DrillLabel? {
        let body: String?
        if writer is DatabasePool {
            // One indexed read of one row, in place on the calling thread: readers of a WAL database
            // never wait for the writer, and this is cheaper than a hop to GRDB's queue and back on
            // every drill read. (An in-memory queue serializes reads with writes: it keeps the hop.)
            body = try newestReportBody(account: account, drillId: drillId)
        } else {
            body = try await writer.unsafeRead { db in try Self.newestReportBody(db, account: account, drillId: drillId) }
        }
        return body.flatMap(EvidenceRecord.label)
    }

    private func newestReportBody(account: String, drillId: String) throws -> String? {
        try writer.unsafeRead { db in try Self.newestReportBody(db, account: account, drillId: drillId) }
    }

    /// One statement sees one consistent state, so it needs no BEGIN/COMMIT around it.
    private static func newestReportBody(_ db: Database, account: String, drillId: String) throws -> String? {
        try String.fetchOne(
            db.cachedStatement(
                sql: "SELECT body FROM drill_reports WHERE account = ? AND drill_id = ? ORDER BY requested_at DESC, id DESC LIMIT 1"),
            arguments: [account, drillId])
    }

    public func reports(account: String, drillIds: [String]) async throws -> [StoredReport] {
        guard !drillIds.isEmpty else { return [] }
        let ids = Array(Set(drillIds)).prefix(500)
        let placeholders = ids.map { _ in "?" }.joined(separator: ",")
        let arguments: StatementArguments = [account] + StatementArguments(Array(ids))
        return try await writer.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.reportColumns) FROM drill_reports WHERE account = ? AND drill_id IN (\(placeholders))
                    ORDER BY requested_at ASC, id ASC
                    """,
                arguments: arguments)
            // Newest last, so that it wins per drill id.
            var newest: [String: StoredReport] = [:]
            for stored in rows.compactMap(Self.decodeReport) { newest[stored.report.drillId ?? ""] = stored }
            return Array(newest.values)
        }
    }

    public func report(scheduleId: String, slot: Date) async throws -> StoredReport? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(Self.reportColumns) FROM drill_reports WHERE schedule_id = ? AND slot = ? LIMIT 1",
                arguments: [scheduleId, slot.timeIntervalSince1970]
            ).flatMap(Self.decodeReport)
        }
    }

    public func listReports(_ query: ReportQuery) async throws -> Page<StoredReport> {
        if query.accounts.isEmpty { return Page(items: []) }
        var sql = "SELECT \(Self.reportColumns), id FROM drill_reports WHERE account IN ("
            + query.accounts.map { _ in "?" }.joined(separator: ",") + ")"
        var arguments = StatementArguments(query.accounts)
        if let group = query.protectionGroupId {
            sql += " AND protection_group_id = ?"
            arguments += [group]
        }
        if let from = query.from {
            sql += " AND requested_at >= ?"
            arguments += [from.timeIntervalSince1970]
        }
        if let to = query.to {
            sql += " AND requested_at < ?"
            arguments += [to.timeIntervalSince1970]
        }
        if let outcome = query.outcome {
            sql += " AND outcome = ?"
            arguments += [outcome.rawValue]
        }
        if let schedule = query.scheduleId {
            sql += " AND schedule_id = ?"
            arguments += [schedule]
        }
        return try await keysetPage(
            sql, arguments: arguments, cursor: query.cursor,
            KeysetPage(prefix: "rpt", column: "requested_at", descending: true, limit: max(1, min(query.limit, 500))),
            decode: Self.decodeReport)
    }

    public func updateReport(id: String, _ change: @escaping @Sendable (inout StoredReport) -> Void) async throws -> StoredReport? {
        try await batcher.write { db -> StoredReport? in
            guard
                var stored = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT \(Self.reportColumns) FROM drill_reports WHERE id = ?"), arguments: [id]
                ).flatMap(Self.decodeReport)
            else { return nil }
            change(&stored)
            stored.report.id = id
            let arguments = StatementArguments((try Self.reportValues(stored)) + [id])
            try db.cachedStatement(
                sql: """
                    UPDATE drill_reports SET tenant = ?, account = ?, protection_group_id = ?, drill_id = ?, requested_at = ?,
                      ready_at = ?, outcome = ?, cleanup_status = ?, next_check_at = ?, delete_attempts = ?, schedule_id = ?,
                      slot = ?, body = ?
                    WHERE id = ?
                    """
            ).execute(arguments: arguments)
            return stored
        }
    }

    public func claimDueReports(at now: Date, limit: Int, leaseSeconds: Double) async throws -> [StoredReport] {
        let t = now.timeIntervalSince1970
        return try await batcher.write { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        UPDATE drill_reports SET next_check_at = ?
                        WHERE id IN (
                          SELECT id FROM drill_reports WHERE next_check_at IS NOT NULL AND next_check_at <= ?
                          ORDER BY next_check_at LIMIT ?)
                        RETURNING \(Self.reportColumns)
                        """),
                arguments: [t + leaseSeconds, t, limit]
            ).compactMap(Self.decodeReport)
        }
    }

    public func leftoverCounts() async throws -> [String: Int] {
        try await writer.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT account, COUNT(*) AS n FROM drill_reports WHERE cleanup_status = 'leftover' GROUP BY account")
            {
                if let account = row["account"] as String? { counts[account] = row["n"] as Int? ?? 0 }
            }
            return counts
        }
    }

    public func groupSuccesses() async throws -> [GroupSuccess] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT account, protection_group_id,
                      MAX(CASE WHEN ready_at IS NOT NULL AND outcome <> 'failed' THEN ready_at END) AS last_success
                    FROM drill_reports GROUP BY account, protection_group_id
                    """
            ).compactMap { row in
                guard let account = row["account"] as String?, let group = row["protection_group_id"] as String? else { return nil }
                return GroupSuccess(
                    account: account, protectionGroupId: group,
                    lastSuccess: (row["last_success"] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
        }
    }
}

/// A list cursor the store did not issue.
public struct StoreCursorError: Error, Sendable {
    public init() {}
}
