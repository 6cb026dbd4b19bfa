import DRGWCore
import Foundation
import PostgresNIO

extension PostgresStore {
    public func save(_ stored: StoredOperation) async throws {
        _ = try await rows(PostgresStatements.SaveOperation(row: OperationRecord.row(stored)))
    }

    public func save(_ stored: StoredOperation, completing scope: IdempotencyScope, response: StoredResponse, now: Date) async throws {
        _ = try await rows(
            PostgresStatements.SaveAndComplete(
                save: PostgresStatements.SaveOperation(row: OperationRecord.row(stored)), complete: Self.completeStatement(scope, response)))
    }

    public func saveClaimed(_ stored: StoredOperation) async throws -> Bool {
        !(try await rows(PostgresStatements.SaveClaimed(row: OperationRecord.row(stored), generation: stored.leaseGeneration)).isEmpty)
    }

    public func operation(id: String, tenant: String) async throws -> StoredOperation? {
        try await rows(PostgresStatements.OperationByID(id: id, tenant: tenant)).first.flatMap(Self.decode)
    }

    public func list(_ query: OperationQuery) async throws -> Page<GatewayOperation> {
        var sql: PostgresQuery = "SELECT seq, tenant, body, job, next_poll_at, polls, lease_generation FROM operations WHERE tenant = \(query.tenant)"
        if let accounts = query.accounts {
            if accounts.isEmpty { return Page(items: []) }
            sql.sql += " AND account = ANY($\(sql.binds.count + 1))"
            sql.binds.append(accounts, context: .default)
        }
        if let status = query.status {
            sql.sql += " AND status = $\(sql.binds.count + 1)"
            sql.binds.append(status.rawValue, context: .default)
        }
        if let cursor = query.cursor, let seq = Int(cursor) {
            sql.sql += " AND seq < $\(sql.binds.count + 1)"
            sql.binds.append(seq, context: .default)
        }
        let limit = max(1, min(query.limit, 200))
        sql.sql += " ORDER BY seq DESC LIMIT \(limit + 1)"
        let statement = sql
        let client = self.client
        let logger = self.logger
        return try await run {
            var rows: [(Int, StoredOperation?)] = []
            for try await (seq, tenant, body, job, next, polls, generation) in try await client.query(statement, logger: logger)
                .decode((Int, String, String, String?, Double, Int, Int).self)
            {
                rows.append((seq, OperationRecord.decode(tenant: tenant, body: body, job: job, nextPollAt: next, polls: polls, generation: generation)))
            }
            let page = rows.prefix(limit)
            let next = rows.count > limit ? page.last.map { String($0.0) } : nil
            return Page(items: page.compactMap(\.1).map(\.operation), nextCursor: next)
        }
    }

    public func claimDue(at now: Date, limit: Int, leaseSeconds: Double) async throws -> [StoredOperation] {
        let t = now.timeIntervalSince1970
        return try await rows(PostgresStatements.ClaimDue(leaseUntil: t + leaseSeconds, now: t, limit: limit)).compactMap(Self.decode)
    }

    public func purgeOperations(endedBefore cutoff: Date) async throws -> Int {
        try await deleteCounting(
            "WITH gone AS (DELETE FROM operations WHERE ended_at < \(cutoff.timeIntervalSince1970) RETURNING 1) SELECT count(*) FROM gone")
    }

    public func ping() async -> Bool {
        // Bounded: readiness must answer even when connecting hangs.
        let client = self.client
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    for try await one in try await client.query("SELECT 1").decode(Int.self) { return one == 1 }
                    return false
                } catch {
                    return false
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(2))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    static func decode(_ columns: OperationColumns) -> StoredOperation? {
        OperationRecord.decode(
            tenant: columns.tenant, body: columns.body, job: columns.job, nextPollAt: columns.nextPollAt,
            polls: columns.polls, generation: columns.generation)
    }
}
