import Foundation

/// Connection settings for a PostgreSQL store, parsed from a `postgres://` URL.
public struct PostgresSettings: Sendable, Equatable, CustomStringConvertible {
    /// libpq's `sslmode` values.
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode
    /// A CA bundle for `verify-ca` / `verify-full` (`sslrootcert`); the system store otherwise.
    public var sslRootCert: String?
    /// Connections in the pool at most (`pool_max`, default 16).
    public var maximumConnections: Int

    public init(
        host: String, port: Int = 5432, username: String, password: String? = nil, database: String,
        sslMode: SSLMode = .prefer, sslRootCert: String? = nil, maximumConnections: Int = 16
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.sslMode = sslMode
        self.sslRootCert = sslRootCert
        self.maximumConnections = maximumConnections
    }

    /// The URL without its password, for logs and errors.
    public var description: String {
        "postgres://\(username)@\(host):\(port)/\(database)?sslmode=\(sslMode.rawValue)"
    }

    static func parse(_ url: String, passwordFromEnvironment: String?) throws(StoreURLError) -> PostgresSettings {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            throw StoreURLError("must look like postgres://user[:password]@host[:port]/database[?sslmode=require]")
        }
        guard let user = components.user, !user.isEmpty else { throw StoreURLError("a postgres:// URL needs a user name") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw StoreURLError("a postgres:// URL needs a database name") }
        var settings = PostgresSettings(
            host: host, port: components.port ?? 5432, username: user,
            password: components.password ?? passwordFromEnvironment, database: database)
        var unknown: [String] = []
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw StoreURLError("sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                settings.sslMode = mode
            case "sslrootcert":
                settings.sslRootCert = value
            case "pool_max":
                guard let n = Int(value), (1...512).contains(n) else { throw StoreURLError("pool_max must be 1 to 512") }
                settings.maximumConnections = n
            default:
                unknown.append(item.name)
            }
        }
        if !unknown.isEmpty {
            throw StoreURLError("unknown postgres:// URL parameter(s): \(unknown.joined(separator: ", ")) (known: sslmode, sslrootcert, pool_max)")
        }
        return settings
    }
}
