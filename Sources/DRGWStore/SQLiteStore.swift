import DRGWCore
import Foundation
import Logging
import NIOCore
import SQLiteNIO

/// The embedded default store: one SQLite file in WAL mode holding idempotency records and
/// operations. Writes are durable across a process crash (`kill -9`).
public final class SQLiteStore: IdempotencyStore, OperationStore, Sendable {
    let connection: SQLiteConnection
    let logger: Logger

    /// Versioned schema: each entry runs once, in order, recorded in `schema_migrations`.
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE idempotency_records (
                tenant TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, key TEXT NOT NULL,
                fingerprint TEXT NOT NULL, state TEXT NOT NULL, operation_id TEXT NOT NULL,
                lease_until REAL NOT NULL, response TEXT, created_at REAL NOT NULL,
                PRIMARY KEY (tenant, method, path, key))
            """,
            "CREATE INDEX idempotency_created ON idempotency_records(created_at)",
            """
            CREATE TABLE operations (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, tenant TEXT NOT NULL,
                account TEXT NOT NULL, status TEXT NOT NULL, body TEXT NOT NULL, job TEXT,
                next_poll_at REAL NOT NULL, polls INTEGER NOT NULL)
            """,
            "CREATE INDEX operations_due ON operations(status, next_poll_at)",
            "CREATE INDEX operations_tenant ON operations(tenant, seq)",
        ]
    ]

    private init(connection: SQLiteConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Opens (creating when absent) the database at `path` and applies pending migrations.
    public static func open(path: String, logger: Logger) async throws -> SQLiteStore {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        let store = SQLiteStore(connection: connection, logger: logger)
        try await store.prepare()
        return store
    }

    /// An in-memory store, for tests.
    public static func inMemory(logger: Logger = Logger(label: "drgw.store")) async throws -> SQLiteStore {
        let connection = try await SQLiteConnection.open(storage: .memory, logger: logger)
        let store = SQLiteStore(connection: connection, logger: logger)
        try await store.prepare()
        return store
    }

    /// Parses `sqlite:///abs/path`, `sqlite://rel/path` or `sqlite::memory:`.
    public static func path(fromURL url: String) -> String? {
        guard url.hasPrefix("sqlite://") else { return nil }
        let rest = String(url.dropFirst("sqlite://".count))
        return rest.isEmpty ? nil : rest
    }

    private func prepare() async throws {
        _ = try await connection.query("PRAGMA journal_mode=WAL")
        _ = try await connection.query("PRAGMA synchronous=NORMAL")
        _ = try await connection.query("PRAGMA busy_timeout=5000")
        _ = try await connection.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
        let rows = try await connection.query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations")
        let current = rows.first?.column("v")?.integer ?? 0
        for (index, statements) in Self.migrations.enumerated() where index + 1 > current {
            _ = try await connection.query("BEGIN IMMEDIATE")
            do {
                for statement in statements { _ = try await connection.query(statement) }
                _ = try await connection.query("INSERT INTO schema_migrations(version) VALUES (?)", [.integer(index + 1)])
                _ = try await connection.query("COMMIT")
            } catch {
                _ = try? await connection.query("ROLLBACK")
                throw error
            }
        }
    }

    public func close() async {
        try? await connection.close()
    }

    // MARK: IdempotencyStore

    public func begin(
        _ scope: IdempotencyScope, fingerprint: String, operationId: String, leaseSeconds: Double, now: Date
    ) async throws -> IdempotencyBegin {
        let t = now.timeIntervalSince1970
        let inserted = try await connection.query(
            """
            INSERT INTO idempotency_records
              (tenant, method, path, key, fingerprint, state, operation_id, lease_until, response, created_at)
            VALUES (?, ?, ?, ?, ?, 'started', ?, ?, NULL, ?)
            ON CONFLICT DO NOTHING RETURNING operation_id
            """,
            binds(scope) + [.text(fingerprint), .text(operationId), .float(t + leaseSeconds), .float(t)]
        )
        if !inserted.isEmpty { return .started(operationId: operationId) }

        // Existing record: a lease that ran out is taken over atomically.
        let taken = try await connection.query(
            """
            UPDATE idempotency_records SET lease_until = ?
            WHERE tenant = ? AND method = ? AND path = ? AND key = ?
              AND state = 'started' AND fingerprint = ? AND lease_until < ?
            RETURNING operation_id
            """,
            [.float(t + leaseSeconds)] + binds(scope) + [.text(fingerprint), .float(t)]
        )
        if let row = taken.first, let id = row.column("operation_id")?.string {
            return .takenOver(operationId: id)
        }
        let rows = try await connection.query(
            """
            SELECT fingerprint, state, response FROM idempotency_records
            WHERE tenant = ? AND method = ? AND path = ? AND key = ?
            """,
            binds(scope)
        )
        guard let row = rows.first else {
            // Purged between the two statements: try once more from the start.
            return try await begin(scope, fingerprint: fingerprint, operationId: operationId, leaseSeconds: leaseSeconds, now: now)
        }
        if row.column("fingerprint")?.string != fingerprint { return .fingerprintMismatch }
        if row.column("state")?.string == "completed", let text = row.column("response")?.string,
            let response = try? JSONDecoder().decode(StoredResponse.self, from: Data(text.utf8))
        {
            return .completed(response)
        }
        return .inFlight
    }

    public func complete(_ scope: IdempotencyScope, response: StoredResponse, now: Date) async throws {
        let json = String(decoding: try JSONEncoder().encode(response), as: UTF8.self)
        _ = try await connection.query(
            """
            UPDATE idempotency_records SET state = 'completed', response = ?, lease_until = 0
            WHERE tenant = ? AND method = ? AND path = ? AND key = ?
            """,
            [.text(json)] + binds(scope)
        )
    }

    public func release(_ scope: IdempotencyScope) async throws {
        _ = try await connection.query(
            """
            UPDATE idempotency_records SET lease_until = 0
            WHERE tenant = ? AND method = ? AND path = ? AND key = ? AND state = 'started'
            """,
            binds(scope)
        )
    }

    public func purge(createdBefore cutoff: Date) async throws -> Int {
        let rows = try await connection.query(
            "DELETE FROM idempotency_records WHERE created_at < ? RETURNING key",
            [.float(cutoff.timeIntervalSince1970)]
        )
        return rows.count
    }

    private func binds(_ scope: IdempotencyScope) -> [SQLiteData] {
        [.text(scope.tenant), .text(scope.method), .text(scope.path), .text(scope.key)]
    }

    // MARK: OperationStore

    public func save(_ stored: StoredOperation) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let body = String(decoding: try encoder.encode(stored.operation), as: UTF8.self)
        let job = try stored.job.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        _ = try await connection.query(
            """
            INSERT INTO operations (id, tenant, account, status, body, job, next_poll_at, polls)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET status = excluded.status, body = excluded.body, job = excluded.job,
              next_poll_at = excluded.next_poll_at, polls = excluded.polls
            """,
            [
                .text(stored.operation.id), .text(stored.tenant), .text(stored.operation.account),
                .text(stored.operation.status.rawValue), .text(body), job.map { .text($0) } ?? .null,
                .float(stored.nextPollAt.timeIntervalSince1970), .integer(stored.polls),
            ]
        )
    }

    public func operation(id: String, tenant: String) async throws -> StoredOperation? {
        let rows = try await connection.query(
            "SELECT tenant, body, job, next_poll_at, polls FROM operations WHERE id = ? AND tenant = ?",
            [.text(id), .text(tenant)]
        )
        return rows.first.flatMap(decode)
    }

    public func list(_ query: OperationQuery) async throws -> Page<Operation> {
        var sql = "SELECT seq, tenant, body, job, next_poll_at, polls FROM operations WHERE tenant = ?"
        var binds: [SQLiteData] = [.text(query.tenant)]
        if let accounts = query.accounts {
            if accounts.isEmpty { return Page(items: []) }
            sql += " AND account IN (" + accounts.map { _ in "?" }.joined(separator: ",") + ")"
            binds += accounts.map { .text($0) }
        }
        if let status = query.status {
            sql += " AND status = ?"
            binds.append(.text(status.rawValue))
        }
        if let cursor = query.cursor, let seq = Int(cursor) {
            sql += " AND seq < ?"
            binds.append(.integer(seq))
        }
        let limit = max(1, min(query.limit, 200))
        sql += " ORDER BY seq DESC LIMIT \(limit + 1)"
        let rows = try await connection.query(sql, binds)
        let page = rows.prefix(limit)
        let items = page.compactMap(decode).map(\.operation)
        let next = rows.count > limit ? page.last?.column("seq")?.integer.map(String.init) : nil
        return Page(items: items, nextCursor: next)
    }

    public func claimDue(at now: Date, limit: Int, leaseSeconds: Double) async throws -> [StoredOperation] {
        let t = now.timeIntervalSince1970
        let rows = try await connection.query(
            """
            UPDATE operations SET next_poll_at = ?
            WHERE id IN (
              SELECT id FROM operations WHERE status = 'running' AND next_poll_at <= ? ORDER BY next_poll_at LIMIT ?)
            RETURNING tenant, body, job, next_poll_at, polls
            """,
            [.float(t + leaseSeconds), .float(t), .integer(limit)]
        )
        return rows.compactMap(decode)
    }

    public func ping() async -> Bool {
        (try? await connection.query("SELECT 1 AS one").first?.column("one")?.integer) == 1
    }

    private func decode(_ row: SQLiteRow) -> StoredOperation? {
        guard let tenant = row.column("tenant")?.string, let body = row.column("body")?.string,
            let operation = try? JSONDecoder().decode(Operation.self, from: Data(body.utf8))
        else { return nil }
        let job = row.column("job")?.string.flatMap { try? JSONDecoder().decode(UpstreamJob.self, from: Data($0.utf8)) }
        return StoredOperation(
            tenant: tenant, operation: operation, job: job,
            nextPollAt: Date(timeIntervalSince1970: row.column("next_poll_at")?.double ?? 0),
            polls: row.column("polls")?.integer ?? 0
        )
    }
}
