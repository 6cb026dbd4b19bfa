import Logging
import PostgresNIO

/// The PostgreSQL schema, versioned. Each entry runs once, in order, in one transaction that
/// holds a transaction-level advisory lock, so replicas starting together apply it once and the
/// others wait, then find it applied. A new version only adds (columns with defaults, tables,
/// indexes), so the previous release keeps working against it during a rolling update.
enum PostgresSchema {
    /// `pg_advisory_xact_lock` key: "drgw" in ASCII.
    static let lockKey: Int64 = 0x6472_6777

    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE idempotency_records (
                tenant TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, key TEXT NOT NULL,
                fingerprint TEXT NOT NULL, state TEXT NOT NULL, operation_id TEXT NOT NULL,
                lease_until DOUBLE PRECISION NOT NULL, response_status BIGINT, response_headers TEXT,
                response_body BYTEA, created_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (tenant, method, path, key))
            """,
            "CREATE INDEX idempotency_created ON idempotency_records (created_at)",
            """
            CREATE TABLE operations (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE,
                tenant TEXT NOT NULL, account TEXT NOT NULL, status TEXT NOT NULL, body TEXT NOT NULL,
                job TEXT, next_poll_at DOUBLE PRECISION NOT NULL, polls BIGINT NOT NULL,
                lease_generation BIGINT NOT NULL DEFAULT 0)
            """,
            "CREATE INDEX operations_due ON operations (next_poll_at) WHERE status = 'running'",
            "CREATE INDEX operations_tenant ON operations (tenant, seq)",
        ],
        // Drill evidence: reports outlive drills and operations; schedules.
        [
            """
            CREATE TABLE drill_reports (
                id TEXT PRIMARY KEY, tenant TEXT NOT NULL, account TEXT NOT NULL, protection_group_id TEXT NOT NULL,
                drill_id TEXT, requested_at DOUBLE PRECISION NOT NULL, ready_at DOUBLE PRECISION, outcome TEXT NOT NULL,
                cleanup_status TEXT NOT NULL, next_check_at DOUBLE PRECISION, delete_attempts BIGINT NOT NULL,
                schedule_id TEXT, slot DOUBLE PRECISION, body TEXT NOT NULL)
            """,
            "CREATE INDEX drill_reports_drill ON drill_reports (account, drill_id)",
            "CREATE INDEX drill_reports_time ON drill_reports (requested_at, id)",
            "CREATE INDEX drill_reports_check ON drill_reports (next_check_at) WHERE next_check_at IS NOT NULL",
            "CREATE INDEX drill_reports_slot ON drill_reports (schedule_id, slot)",
            """
            CREATE TABLE drill_schedules (
                id TEXT PRIMARY KEY, tenant TEXT NOT NULL, account TEXT NOT NULL, enabled BOOLEAN NOT NULL,
                next_run_at DOUBLE PRECISION, created_at DOUBLE PRECISION NOT NULL, body TEXT NOT NULL)
            """,
            "CREATE INDEX drill_schedules_due ON drill_schedules (next_run_at) WHERE enabled",
            "CREATE INDEX drill_schedules_tenant ON drill_schedules (tenant, created_at, id)",
        ],
        // Retention: when an operation ended (earlier ones count from the migration).
        [
            "ALTER TABLE operations ADD COLUMN ended_at DOUBLE PRECISION",
            "UPDATE operations SET ended_at = extract(epoch FROM now()) WHERE status <> 'running'",
            "CREATE INDEX operations_ended ON operations (ended_at) WHERE ended_at IS NOT NULL",
        ],
    ]

    /// Applies pending migrations; returns the schema version now in force.
    static func migrate(_ client: PostgresClient, logger: Logger) async throws -> Int {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                logger: logger)
            var current = 0
            for try await version in try await connection.query(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", logger: logger
            ).decode(Int.self) {
                current = version
            }
            for (index, statements) in migrations.enumerated() where index + 1 > current {
                for statement in statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migrations (version) VALUES (\(index + 1))", logger: logger)
                logger.info("store schema migrated", metadata: ["version": "\(index + 1)"])
            }
            return max(current, migrations.count)
        }
    }
}
