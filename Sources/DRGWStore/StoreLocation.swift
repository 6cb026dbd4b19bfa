import Foundation

/// Where `store.url` points: an SQLite file or a PostgreSQL database.
public enum StoreLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(PostgresSettings)

    /// Parses `sqlite:///abs/path`, `sqlite://rel/path`, `sqlite::memory:` or
    /// `postgres://user[:password]@host[:port]/database[?sslmode=…]` (also `postgresql://`).
    /// `passwordFromEnvironment` (PGPASSWORD) is used when the URL has no password.
    public static func parse(_ url: String, passwordFromEnvironment: String? = nil) throws(StoreURLError) -> StoreLocation {
        if url.hasPrefix("sqlite://") {
            let rest = String(url.dropFirst("sqlite://".count))
            guard !rest.isEmpty else { throw StoreURLError("an sqlite:// URL needs a file path, e.g. sqlite:///var/lib/drgw/drgw.sqlite") }
            return .sqlite(path: rest)
        }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            return .postgres(try PostgresSettings.parse(url, passwordFromEnvironment: passwordFromEnvironment))
        }
        throw StoreURLError("must start with sqlite:// or postgres://")
    }
}

/// A `store.url` that cannot be used; the message never repeats a password.
public struct StoreURLError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
