import DRGWCore
import Foundation
import GRDB
import Logging

/// The embedded default store: one SQLite file in WAL mode holding idempotency records and
/// operations. Writes are durable across a process crash (`kill -9`).
///
/// Built on GRDB: reads go to a pooled reader; writes are group-committed (`WriteBatcher`): the
/// writes that arrive together share one hop to GRDB's serial writer and one transaction, each in
/// its own savepoint. Prepared statements are cached per connection.
public final class SQLiteStore: GatewayStore, Sendable {
    let writer: any DatabaseWriter
    let logger: Logger
    /// Every write after the migrations goes through here (group commit).
    let batcher: WriteBatcher

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
        ],
        // The stored answer in columns (the body as a blob) instead of one JSON text; records
        // written before keep their `response` text and are still read.
        [
            "ALTER TABLE idempotency_records ADD COLUMN response_status INTEGER",
            "ALTER TABLE idempotency_records ADD COLUMN response_headers TEXT",
            "ALTER TABLE idempotency_records ADD COLUMN response_body BLOB",
        ],
        // Fencing: a poll's result is saved only under the claim it was made under.
        [
            "ALTER TABLE operations ADD COLUMN lease_generation INTEGER NOT NULL DEFAULT 0"
        ],
        // Drill evidence: reports (SQLiteStore+Reports.swift) and schedules (SQLiteStore+Schedules.swift).
        reportMigration,
        scheduleMigration,
        // Retention: when an operation ended. Operations that ended before this version count
        // from the migration.
        [
            "ALTER TABLE operations ADD COLUMN ended_at REAL",
            "UPDATE operations SET ended_at = CAST(strftime('%s', 'now') AS REAL) WHERE status != 'running'",
            "CREATE INDEX operations_ended ON operations(ended_at) WHERE ended_at IS NOT NULL",
        ],
    ]

    private init(writer: any DatabaseWriter, logger: Logger) {
        self.writer = writer
        self.logger = logger
        self.batcher = WriteBatcher(writer: writer)
    }

    static func configuration() -> Configuration {
        var config = Configuration()
        config.busyMode = .timeout(5)
        // Reads are short (one operation or one page): two reader connections are plenty, and each
        // connection keeps its own page cache in memory.
        config.maximumReaderCount = 2
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous=NORMAL")
            // Checkpoints are queued by the WriteBatcher on GRDB's writer thread instead.
            try db.execute(sql: "PRAGMA wal_autocheckpoint=0")
        }
        return config
    }

    /// Opens (creating when absent) the database at `path` and applies pending migrations.
    public static func open(path: String, logger: Logger) async throws -> SQLiteStore {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let pool = try DatabasePool(path: path, configuration: configuration())  // WAL mode
        let store = SQLiteStore(writer: pool, logger: logger)
        try await store.prepare()
        return store
    }

    /// An in-memory store, for tests.
    public static func inMemory(logger: Logger = Logger(label: "drgw.store")) async throws -> SQLiteStore {
        let store = SQLiteStore(writer: try DatabaseQueue(configuration: configuration()), logger: logger)
        try await store.prepare()
        return store
    }

    /// One process owns the file.
    public var isShared: Bool { false }

    private func prepare() async throws {
        try await writer.write { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
            let current = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(version), 0) FROM schema_migrations") ?? 0
            for (index, statements) in Self.migrations.enumerated() where index + 1 > current {
                for statement in statements { try db.execute(sql: statement) }
                try db.execute(sql: "INSERT INTO schema_migrations(version) VALUES (?)", arguments: [index + 1])
            }
        }
    }

    public func close() async {
        if let pool = writer as? DatabasePool { try? pool.close() }
        if let queue = writer as? DatabaseQueue { try? queue.close() }
    }

    // MARK: IdempotencyStore

    public func begin(
        _ scope: IdempotencyScope, fingerprint: String, operationId: String, leaseSeconds: Double, now: Date
    ) async throws -> IdempotencyBegin {
        let t = now.timeIntervalSince1970
        return try await batcher.write { db -> IdempotencyBegin in
            let inserted = try String.fetchOne(
                db.cachedStatement(
                    sql: """
                        INSERT INTO idempotency_records
                          (tenant, method, path, key, fingerprint, state, operation_id, lease_until, response, created_at)
                        VALUES (?, ?, ?, ?, ?, 'started', ?, ?, NULL, ?)
                        ON CONFLICT DO NOTHING RETURNING operation_id
                        """),
                arguments: Self.arguments(scope) + [fingerprint, operationId, t + leaseSeconds, t])
            if inserted != nil { return .started(operationId: operationId) }

            // Existing record: a lease that ran out is taken over.
            if let id = try String.fetchOne(
                db.cachedStatement(
                    sql: """
                        UPDATE idempotency_records SET lease_until = ?
                        WHERE tenant = ? AND method = ? AND path = ? AND key = ?
                          AND state = 'started' AND fingerprint = ? AND lease_until < ?
                        RETURNING operation_id
                        """),
                arguments: [t + leaseSeconds] + Self.arguments(scope) + [fingerprint, t])
            {
                return .takenOver(operationId: id)
            }
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT fingerprint, state, response, response_status, response_headers, response_body
                            FROM idempotency_records WHERE tenant = ? AND method = ? AND path = ? AND key = ?
                            """),
                    arguments: Self.arguments(scope))
            else {
                return .inFlight  // cannot happen inside this transaction; a retry of the key starts anew
            }
            if (row["fingerprint"] as String?) != fingerprint { return .fingerprintMismatch }
            if (row["state"] as String?) == "completed", let response = Self.storedResponse(row) {
                return .completed(response)
            }
            return .inFlight
        }
    }

    /// The stored answer of a completed record, from its columns or (older records) its JSON text.
    static func storedResponse(_ row: Row) -> StoredResponse? {
        if let status = row["response_status"] as Int? {
            let headers = OperationRecord.headers(row["response_headers"] as String?)
            let body = (row["response_body"] as Data?).map { Array($0) } ?? []
            return StoredResponse(status: status, headers: headers, body: body)
        }
        guard let text = row["response"] as String? else { return nil }
        return try? JSONDecoder().decode(StoredResponse.self, from: Data(text.utf8))
    }

    public func complete(_ scope: IdempotencyScope, response: StoredResponse, now: Date) async throws {
        let arguments = Self.completeArguments(scope, response)
        try await batcher.write { db in try Self.complete(db, arguments) }
    }

    private static func completeArguments(_ scope: IdempotencyScope, _ response: StoredResponse) -> StatementArguments {
        [response.status, OperationRecord.headersText(response.headers), Data(response.body)] + arguments(scope)
    }

    private static func complete(_ db: Database, _ arguments: StatementArguments) throws {
        try db.cachedStatement(
            sql: """
                UPDATE idempotency_records SET state = 'completed', response = NULL, response_status = ?,
                  response_headers = ?, response_body = ?, lease_until = 0
                WHERE tenant = ? AND method = ? AND path = ? AND key = ?
                """
        ).execute(arguments: arguments)
    }

    public func release(_ scope: IdempotencyScope) async throws {
        try await batcher.write { db in
            try db.cachedStatement(
                sql: """
                    UPDATE idempotency_records SET lease_until = 0
                    WHERE tenant = ? AND method = ? AND path = ? AND key = ? AND state = 'started'
                    """
            ).execute(arguments: Self.arguments(scope))
        }
    }

    public func purge(createdBefore cutoff: Date) async throws -> Int {
        try await batcher.write { db in
            try db.execute(sql: "DELETE FROM idempotency_records WHERE created_at < ?", arguments: [cutoff.timeIntervalSince1970])
            return db.changesCount
        }
    }

    private static func arguments(_ scope: IdempotencyScope) -> StatementArguments {
        [scope.tenant, scope.method, scope.path, scope.key]
    }

    // MARK: OperationStore

    public func save(_ stored: StoredOperation) async throws {
        let arguments = Self.saveArguments(stored)
        try await batcher.write { db in try Self.save(db, arguments) }
    }

    public func save(_ stored: StoredOperation, completing scope: IdempotencyScope, response: StoredResponse, now: Date) async throws {
        let operation = Self.saveArguments(stored)
        let record = Self.completeArguments(scope, response)
        try await batcher.write { db in
            try Self.save(db, operation)
            try Self.complete(db, record)
        }
    }

    private static func saveArguments(_ stored: StoredOperation) -> StatementArguments {
        let row = OperationRecord.row(stored)
        return [row.id, row.tenant, row.account, row.status, row.body, row.job, row.nextPollAt, row.polls, row.endedAt]
    }

    public func saveClaimed(_ stored: StoredOperation) async throws -> Bool {
        let row = OperationRecord.row(stored)
        let arguments: StatementArguments = [
            row.status, row.body, row.job, row.nextPollAt, row.polls, row.endedAt, row.id, stored.leaseGeneration,
        ]
        return try await batcher.write { db in
            try db.cachedStatement(
                sql: """
                    UPDATE operations SET status = ?, body = ?, job = ?, next_poll_at = ?, polls = ?, ended_at = ?
                    WHERE id = ? AND lease_generation = ?
                    """
            ).execute(arguments: arguments)
            return db.changesCount > 0
        }
    }

    private static func save(_ db: Database, _ arguments: StatementArguments) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO operations (id, tenant, account, status, body, job, next_poll_at, polls, ended_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET status = excluded.status, body = excluded.body, job = excluded.job,
                  next_poll_at = excluded.next_poll_at, polls = excluded.polls, ended_at = excluded.ended_at
                """
        ).execute(arguments: arguments)
    }

    public func operation(id: String, tenant: String) async throws -> StoredOperation? {
        try await writer.read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT tenant, body, job, next_poll_at, polls, lease_generation FROM operations WHERE id = ? AND tenant = ?"),
                arguments: [id, tenant]
            ).flatMap(Self.decode)
        }
    }

    public func list(_ query: OperationQuery) async throws -> Page<GatewayOperation> {
        var sql = "SELECT seq, tenant, body, job, next_poll_at, polls, lease_generation FROM operations WHERE tenant = ?"
        var arguments: StatementArguments = [query.tenant]
        if let accounts = query.accounts {
            if accounts.isEmpty { return Page(items: []) }
            sql += " AND account IN (" + accounts.map { _ in "?" }.joined(separator: ",") + ")"
            arguments += StatementArguments(accounts)
        }
        if let status = query.status {
            sql += " AND status = ?"
            arguments += [status.rawValue]
        }
        if let cursor = query.cursor, let seq = Int(cursor) {
            sql += " AND seq < ?"
            arguments += [seq]
        }
        let limit = max(1, min(query.limit, 200))
        sql += " ORDER BY seq DESC LIMIT \(limit + 1)"
        let statement = sql
        let bound = arguments
        return try await writer.read { db -> Page<GatewayOperation> in
            let rows = try Row.fetchAll(db, sql: statement, arguments: bound)
            let page = rows.prefix(limit)
            let items = page.compactMap(Self.decode).map(\.operation)
            let next = rows.count > limit ? (page.last?["seq"] as Int?).map(String.init) : nil
            return Page(items: items, nextCursor: next)
        }
    }

    public func claimDue(at now: Date, limit: Int, leaseSeconds: Double) async throws -> [StoredOperation] {
        let t = now.timeIntervalSince1970
        return try await batcher.write { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        UPDATE operations SET next_poll_at = ?, lease_generation = lease_generation + 1
                        WHERE id IN (
                          SELECT id FROM operations WHERE status = 'running' AND next_poll_at <= ? ORDER BY next_poll_at LIMIT ?)
                        RETURNING tenant, body, job, next_poll_at, polls, lease_generation
                        """),
                arguments: [t + leaseSeconds, t, limit]
            ).compactMap(Self.decode)
        }
    }

    public func purgeOperations(endedBefore cutoff: Date) async throws -> Int {
        try await batcher.write { db in
            try db.execute(sql: "DELETE FROM operations WHERE ended_at < ?", arguments: [cutoff.timeIntervalSince1970])
            return db.changesCount
        }
    }

    public func ping() async -> Bool {
        (try? await writer.read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }

    private static func decode(_ row: Row) -> StoredOperation? {
        guard let tenant = row["tenant"] as String?, let body = row["body"] as String? else { return nil }
        return OperationRecord.decode(
            tenant: tenant, body: body, job: row["job"] as String?, nextPollAt: (row["next_poll_at"] as Double?) ?? 0,
            polls: (row["polls"] as Int?) ?? 0, generation: (row["lease_generation"] as Int?) ?? 0)
    }
}
