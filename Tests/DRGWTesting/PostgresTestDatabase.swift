import DRGWStore
import Foundation
import Logging
import PostgresNIO

/// Fresh databases on the throwaway PostgreSQL cluster the test script starts
/// (`DRGW_TEST_POSTGRES_URL`, a superuser URL); each test gets its own database.
public enum PostgresTestDatabase {
    /// The cluster's admin URL, when the test script started one.
    public static var adminURL: String? {
        ProcessInfo.processInfo.environment["DRGW_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public static var isAvailable: Bool { adminURL != nil }

    /// Creates an empty database and returns its `postgres://` URL.
    public static func create(prefix: String = "drgw_t") async throws -> String {
        let settings = try adminSettings()
        let name = "\(prefix)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
        try await admin { connection, logger in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = settings.username
        components.password = settings.password
        components.host = settings.host
        components.port = settings.port
        components.path = "/" + name
        components.queryItems = [URLQueryItem(name: "sslmode", value: "disable")]
        return components.string!
    }

    /// The database name of a URL made by `create`.
    public static func name(of url: String) -> String {
        String((URLComponents(string: url)?.path ?? "").drop(while: { $0 == "/" }))
    }

    /// Makes the database refuse new connections and ends the open ones (an outage as the
    /// gateway sees it), or lets it accept connections again.
    public static func setReachable(_ url: String, _ reachable: Bool) async throws {
        let name = name(of: url)
        try await admin { connection, logger in
            try await connection.query(
                PostgresQuery(unsafeSQL: "ALTER DATABASE \(name) WITH ALLOW_CONNECTIONS \(reachable ? "true" : "false")"), logger: logger)
            if !reachable {
                try await connection.query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(name) AND pid <> pg_backend_pid()",
                    logger: logger)
            }
        }
    }

    /// The integers a query returns from the database at `url` (the first column of each row).
    public static func integers(_ url: String, _ query: PostgresQuery) async throws -> [Int] {
        guard case .postgres(let settings) = try StoreLocation.parse(url) else { throw PostgresTestDatabaseError() }
        var values: [Int] = []
        try await admin(database: settings.database) { connection, logger in
            for try await value in try await connection.query(query, logger: logger).decode(Int.self) { values.append(value) }
        }
        return values
    }

    /// Drops the database (ends its connections first).
    public static func drop(_ url: String) async {
        let name = name(of: url)
        try? await admin { connection, logger in
            try await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
    }

    static func adminSettings() throws -> PostgresSettings {
        guard let url = adminURL, case .postgres(let settings) = try StoreLocation.parse(url) else {
            throw PostgresTestDatabaseError()
        }
        return settings
    }

    static func admin(database: String? = nil, _ body: (PostgresConnection, Logger) async throws -> Void) async throws {
        var settings = try adminSettings()
        if let database { settings.database = database }
        let logger = Logger(label: "pg-test-admin")
        let connection = try await PostgresConnection.connect(
            configuration: .init(
                host: settings.host, port: settings.port, username: settings.username, password: settings.password,
                database: settings.database, tls: .disable),
            id: 1, logger: logger)
        do {
            try await body(connection, logger)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }
}

/// `DRGW_TEST_POSTGRES_URL` is missing or not a postgres:// URL.
public struct PostgresTestDatabaseError: Error {}
