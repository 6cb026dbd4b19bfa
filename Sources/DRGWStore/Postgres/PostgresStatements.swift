import DRGWCore
import Foundation
import PostgresNIO

/// The statements on the request path, prepared once per pooled connection and then executed by
/// name (no parse per call).
enum PostgresStatements {
    /// Creates a `started` record unless the key exists; returns the reserved operation id.
    struct BeginInsert: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO idempotency_records
              (tenant, method, path, key, fingerprint, state, operation_id, lease_until, created_at)
            VALUES ($1, $2, $3, $4, $5, 'started', $6, $7, $8)
            ON CONFLICT DO NOTHING RETURNING operation_id
            """
        typealias Row = String
        var scope: IdempotencyScope
        var fingerprint: String
        var operationId: String
        var leaseUntil: Double
        var now: Double

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 8)
            bindings.appendScope(scope)
            bindings.append(fingerprint)
            bindings.append(operationId)
            bindings.append(leaseUntil)
            bindings.append(now)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> String { try row.decode(String.self) }
    }

    /// Takes over a `started` record whose lease ran out.
    struct BeginTakeOver: PostgresPreparedStatement {
        static let sql = """
            UPDATE idempotency_records SET lease_until = $1
            WHERE tenant = $2 AND method = $3 AND path = $4 AND key = $5
              AND state = 'started' AND fingerprint = $6 AND lease_until < $7
            RETURNING operation_id
            """
        typealias Row = String
        var scope: IdempotencyScope
        var fingerprint: String
        var leaseUntil: Double
        var now: Double

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 7)
            bindings.append(leaseUntil)
            bindings.appendScope(scope)
            bindings.append(fingerprint)
            bindings.append(now)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> String { try row.decode(String.self) }
    }

    /// The record as it stands.
    struct RecordByScope: PostgresPreparedStatement {
        static let sql = """
            SELECT fingerprint, state, response_status, response_headers, response_body
            FROM idempotency_records WHERE tenant = $1 AND method = $2 AND path = $3 AND key = $4
            """
        typealias Row = (String, String, Int?, String?, Data?)
        var scope: IdempotencyScope

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 4)
            bindings.appendScope(scope)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode((String, String, Int?, String?, Data?).self)
        }
    }

    /// Stores the final answer of a key.
    struct Complete: PostgresPreparedStatement {
        static let sql = """
            UPDATE idempotency_records SET state = 'completed', response_status = $1, response_headers = $2,
              response_body = $3, lease_until = 0
            WHERE tenant = $4 AND method = $5 AND path = $6 AND key = $7
            """
        typealias Row = Int
        var status: Int
        var headers: String
        var body: Data
        var scope: IdempotencyScope

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 7)
            bindings.append(status)
            bindings.append(headers)
            try bindings.append(body)
            bindings.appendScope(scope)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int { try row.decode(Int.self) }
    }

    /// Inserts an operation or replaces it by id.
    struct SaveOperation: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO operations (id, tenant, account, status, body, job, next_poll_at, polls, ended_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, body = excluded.body, job = excluded.job,
              next_poll_at = excluded.next_poll_at, polls = excluded.polls, ended_at = excluded.ended_at
            """
        typealias Row = Int
        var row: OperationRow

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 9)
            bindings.append(row.id)
            bindings.append(row.tenant)
            bindings.append(row.account)
            bindings.append(row.status)
            bindings.append(row.body)
            bindings.append(row.job)
            bindings.append(row.nextPollAt)
            bindings.append(row.polls)
            bindings.append(row.endedAt)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int { try row.decode(Int.self) }
    }

    /// Saves a new operation and completes the Idempotency-Key record that started it, in one
    /// statement (atomic, one round trip instead of a four-step transaction).
    struct SaveAndComplete: PostgresPreparedStatement {
        static let sql = """
            WITH saved AS (
              INSERT INTO operations (id, tenant, account, status, body, job, next_poll_at, polls, ended_at)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
              ON CONFLICT (id) DO UPDATE SET status = excluded.status, body = excluded.body, job = excluded.job,
                next_poll_at = excluded.next_poll_at, polls = excluded.polls, ended_at = excluded.ended_at
              RETURNING 1)
            UPDATE idempotency_records SET state = 'completed', response_status = $10, response_headers = $11,
              response_body = $12, lease_until = 0
            WHERE tenant = $13 AND method = $14 AND path = $15 AND key = $16 AND EXISTS (SELECT 1 FROM saved)
            """
        typealias Row = Int
        var save: SaveOperation
        var complete: Complete

        func makeBindings() throws -> PostgresBindings {
            var bindings = try save.makeBindings()
            bindings.append(complete.status)
            bindings.append(complete.headers)
            try bindings.append(complete.body)
            bindings.appendScope(complete.scope)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int { try row.decode(Int.self) }
    }

    /// Saves a poll's result only while the poller's claim (lease generation) still holds.
    struct SaveClaimed: PostgresPreparedStatement {
        static let sql = """
            UPDATE operations SET status = $1, body = $2, job = $3, next_poll_at = $4, polls = $5, ended_at = $6
            WHERE id = $7 AND lease_generation = $8
            RETURNING 1
            """
        typealias Row = Int
        var row: OperationRow
        var generation: Int

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 8)
            bindings.append(row.status)
            bindings.append(row.body)
            bindings.append(row.job)
            bindings.append(row.nextPollAt)
            bindings.append(row.polls)
            bindings.append(row.endedAt)
            bindings.append(row.id)
            bindings.append(generation)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int { try row.decode(Int.self) }
    }

    /// One operation of one tenant.
    struct OperationByID: PostgresPreparedStatement {
        static let sql = """
            SELECT tenant, body, job, next_poll_at, polls, lease_generation FROM operations
            WHERE id = $1 AND tenant = $2
            """
        typealias Row = OperationColumns
        var id: String
        var tenant: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(id)
            bindings.append(tenant)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> OperationColumns { try OperationColumns(row) }
    }

    /// Claims due running operations: moves their next poll a lease ahead and bumps the lease
    /// generation; rows another replica is claiming at the same moment are skipped, not waited for.
    struct ClaimDue: PostgresPreparedStatement {
        static let sql = """
            UPDATE operations o SET next_poll_at = $1, lease_generation = o.lease_generation + 1
            FROM (SELECT seq FROM operations WHERE status = 'running' AND next_poll_at <= $2
                  ORDER BY next_poll_at LIMIT $3 FOR UPDATE SKIP LOCKED) due
            WHERE o.seq = due.seq
            RETURNING o.tenant, o.body, o.job, o.next_poll_at, o.polls, o.lease_generation
            """
        typealias Row = OperationColumns
        var leaseUntil: Double
        var now: Double
        var limit: Int

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(leaseUntil)
            bindings.append(now)
            bindings.append(limit)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> OperationColumns { try OperationColumns(row) }
    }

    /// The body of a drill's newest report (a drill read shows its name and expiry).
    struct NewestReportBody: PostgresPreparedStatement {
        static let sql = "SELECT body FROM drill_reports WHERE account = $1 AND drill_id = $2 ORDER BY requested_at DESC, id DESC LIMIT 1"
        typealias Row = String
        var account: String
        var drillId: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(account)
            bindings.append(drillId)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> String { try row.decode(String.self) }
    }
}

/// The columns an operation is read back from.
struct OperationColumns: Sendable {
    var tenant: String
    var body: String
    var job: String?
    var nextPollAt: Double
    var polls: Int
    var generation: Int

    init(_ row: PostgresRow) throws {
        (tenant, body, job, nextPollAt, polls, generation) = try row.decode((String, String, String?, Double, Int, Int).self)
    }
}

extension PostgresBindings {
    mutating func appendScope(_ scope: IdempotencyScope) {
        append(scope.tenant)
        append(scope.method)
        append(scope.path)
        append(scope.key)
    }
}
