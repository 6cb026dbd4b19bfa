import DRGWCore
import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// The shared store for several gateway replicas: idempotency records and operations in one
/// PostgreSQL database (postgres-nio's connection pool, prepared statements on the request path,
/// TLS by `sslmode`).
///
/// Cross-replica rules live in the SQL: a key's first insert wins (`ON CONFLICT DO NOTHING`), so
/// the same key sent to two replicas at once makes one upstream call; polls are claimed with
/// `FOR UPDATE SKIP LOCKED` and fenced by a lease generation. When the database is unreachable
/// every call throws `StoreUnavailable` (the pool fails waiting requests once connecting has
/// failed for `connectTimeout`), which the gateway answers with `503 store_unavailable`.
public final class PostgresStore: GatewayStore, Sendable {
    let client: PostgresClient
    let logger: Logger
    public let settings: PostgresSettings
    /// Runs the pool (postgres-nio's `run()`); cancelled by `close()`.
    private let pool: Task<Void, Never>

    public var isShared: Bool { true }

    private init(client: PostgresClient, settings: PostgresSettings, logger: Logger) {
        self.client = client
        self.settings = settings
        self.logger = logger
        self.pool = Task { await client.run() }
    }

    /// Connects and applies pending migrations, retrying for `startupSeconds` while the database
    /// is unreachable (replicas may start before it).
    public static func open(_ settings: PostgresSettings, logger: Logger, startupSeconds: Double = 30) async throws -> PostgresStore {
        let client = PostgresClient(configuration: try configuration(settings), backgroundLogger: logger)
        let store = PostgresStore(client: client, settings: settings, logger: logger)
        let deadline = Date().addingTimeInterval(startupSeconds)
        var delay = 0.2
        while true {
            do {
                _ = try await PostgresSchema.migrate(client, logger: logger)
                return store
            } catch {
                let classified = PostgresFailure.classify(error)
                guard classified is StoreUnavailable, Date().addingTimeInterval(delay) < deadline else {
                    await store.close()
                    throw classified
                }
                logger.warning("store not reachable yet, retrying", metadata: ["store": "\(settings)", "reason": "\(classified)"])
                try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
                delay = min(delay * 2, 2)
            }
        }
    }

    static func configuration(_ settings: PostgresSettings) throws -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.username, password: settings.password,
            database: settings.database, tls: try tls(settings))
        configuration.options.maximumConnections = settings.maximumConnections
        configuration.options.minimumConnections = 1
        // Waiting requests fail once connecting has failed this long (then at once until it works).
        configuration.options.connectTimeout = .seconds(3)
        configuration.options.keepAliveBehavior = .init(frequency: .seconds(15))
        // A statement or lock that hangs ends with SQLSTATE 57014 / 55P03 instead of holding a request.
        configuration.options.additionalStartupParameters = [
            ("statement_timeout", "10s"), ("lock_timeout", "5s"), ("application_name", "drgw"),
        ]
        return configuration
    }

    /// libpq's `sslmode` meaning on NIOSSL: `prefer`/`allow` try TLS without verification and fall
    /// back to plain; `require` encrypts without verifying (verifies the chain when `sslrootcert`
    /// is given, as libpq does); `verify-ca` checks the chain; `verify-full` the chain and the host.
    static func tls(_ settings: PostgresSettings) throws -> PostgresClient.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let root = settings.sslRootCert { tls.trustRoots = .file(root) }
        switch settings.sslMode {
        case .disable:
            return .disable
        case .allow, .prefer:
            tls.certificateVerification = .none
            return .prefer(tls)
        case .require:
            tls.certificateVerification = settings.sslRootCert == nil ? .none : .noHostnameVerification
            return .require(tls)
        case .verifyCA:
            tls.certificateVerification = .noHostnameVerification
            return .require(tls)
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            return .require(tls)
        }
    }

    public func close() async {
        pool.cancel()
        // Bounded: a pool still retrying an unreachable database must not hold up the exit.
        let pool = self.pool
        _ = try? await Deadline.run(seconds: Self.callSeconds, onTimeout: { StoreUnavailable("close timed out") }) { await pool.value }
    }

    /// Seconds one store call may take, waiting for a connection included: past it the call is
    /// cancelled and answered `StoreUnavailable` (the pool alone keeps a request waiting while it
    /// retries connecting to a database that refuses connections).
    static let callSeconds: Double = 5

    /// Runs `body` within `callSeconds`, turning "database unavailable" errors into `StoreUnavailable`.
    func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await Deadline.run(
                seconds: Self.callSeconds,
                onTimeout: { StoreUnavailable("the database did not answer within \(Int(Self.callSeconds)) s") }, body)
        } catch {
            throw PostgresFailure.classify(error)
        }
    }

    /// All rows of a prepared statement.
    func rows<S: PostgresPreparedStatement>(_ statement: S) async throws -> [S.Row] where S.Row: Sendable {
        let client = self.client
        let logger = self.logger
        return try await run {
            var rows: [S.Row] = []
            for try await row in try await client.execute(statement, logger: logger) { rows.append(row) }
            return rows
        }
    }

    // MARK: IdempotencyStore

    public func begin(
        _ scope: IdempotencyScope, fingerprint: String, operationId: String, leaseSeconds: Double, now: Date
    ) async throws -> IdempotencyBegin {
        let t = now.timeIntervalSince1970
        let inserted = try await rows(
            PostgresStatements.BeginInsert(
                scope: scope, fingerprint: fingerprint, operationId: operationId, leaseUntil: t + leaseSeconds, now: t))
        if !inserted.isEmpty { return .started(operationId: operationId) }
        // Existing record: a lease that ran out is taken over.
        if let id = try await rows(
            PostgresStatements.BeginTakeOver(scope: scope, fingerprint: fingerprint, leaseUntil: t + leaseSeconds, now: t)
        ).first {
            return .takenOver(operationId: id)
        }
        guard let (storedFingerprint, state, status, headers, body) = try await rows(PostgresStatements.RecordByScope(scope: scope)).first
        else {
            return .inFlight  // purged in between: the client's retry starts anew
        }
        if storedFingerprint != fingerprint { return .fingerprintMismatch }
        if state == "completed", let status {
            return .completed(StoredResponse(status: status, headers: OperationRecord.headers(headers), body: body.map { Array($0) } ?? []))
        }
        return .inFlight
    }

    public func complete(_ scope: IdempotencyScope, response: StoredResponse, now: Date) async throws {
        _ = try await rows(Self.completeStatement(scope, response))
    }

    static func completeStatement(_ scope: IdempotencyScope, _ response: StoredResponse) -> PostgresStatements.Complete {
        PostgresStatements.Complete(
            status: response.status, headers: OperationRecord.headersText(response.headers), body: Data(response.body), scope: scope)
    }

    public func release(_ scope: IdempotencyScope) async throws {
        let client = self.client
        let logger = self.logger
        try await run {
            try await client.query(
                """
                UPDATE idempotency_records SET lease_until = 0
                WHERE tenant = \(scope.tenant) AND method = \(scope.method) AND path = \(scope.path)
                  AND key = \(scope.key) AND state = 'started'
                """, logger: logger)
        }
    }

    public func purge(createdBefore cutoff: Date) async throws -> Int {
        try await deleteCounting(
            "WITH gone AS (DELETE FROM idempotency_records WHERE created_at < \(cutoff.timeIntervalSince1970) RETURNING 1) SELECT count(*) FROM gone")
    }

    /// Runs a `WITH gone AS (DELETE … RETURNING 1) SELECT count(*) FROM gone` and returns the count.
    func deleteCounting(_ query: PostgresQuery) async throws -> Int {
        let client = self.client
        let logger = self.logger
        return try await run {
            var count = 0
            for try await n in try await client.query(query, logger: logger).decode(Int.self) { count = n }
            return count
        }
    }
}
