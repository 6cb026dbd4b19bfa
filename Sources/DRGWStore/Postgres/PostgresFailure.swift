import PostgresNIO

/// Sorts PostgreSQL errors into "the database is unreachable or refusing work right now"
/// (answered 503, safe to retry) and everything else (a bug: rethrown as is).
enum PostgresFailure {
    /// SQLSTATE classes and codes that mean the database, not the statement, is the problem:
    /// connection exceptions (08), insufficient resources (53), operator intervention (57:
    /// shutdown, query cancelled by statement_timeout), a database that refuses connections
    /// (55000 with ALLOW_CONNECTIONS false) or does not exist (3D000), lock timeouts (55P03).
    static func isUnavailable(sqlState: String) -> Bool {
        let unavailableClasses = ["08", "53", "57"]
        return unavailableClasses.contains(String(sqlState.prefix(2))) || ["55000", "55P03", "3D000"].contains(sqlState)
    }

    /// `error` as `StoreUnavailable` when it means the database is unavailable, else unchanged.
    static func classify(_ error: any Error) -> any Error {
        switch error {
        case is StoreUnavailable:
            return error
        case let error as PostgresTransactionError:
            // The first failure inside the transaction says what went wrong.
            guard let cause = error.beginError ?? error.closureError ?? error.commitError ?? error.rollbackError else {
                return StoreUnavailable("transaction failed")
            }
            return classify(cause)
        case let error as PSQLError:
            if error.code == .server {
                let state = error.serverInfo?[.sqlState] ?? ""
                return isUnavailable(sqlState: state) ? StoreUnavailable("database refused the request (SQLSTATE \(state))") : error
            }
            return StoreUnavailable("database connection failed (\(error.code))")
        case is CancellationError:
            return error
        default:
            // Pool errors (circuit breaker open while connecting fails, pool shut down), socket errors.
            return StoreUnavailable("database unreachable (\(type(of: error)))")
        }
    }
}

extension PostgresStore {
    /// A secret-free one-line reason for a failure to open the store (the server's SQLSTATE and
    /// message, e.g. a failed password check; never the URL's password or a query's values).
    public static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError, error.code == .server {
            let state = error.serverInfo?[.sqlState] ?? "?"
            return "SQLSTATE \(state): \(error.serverInfo?[.message] ?? "server error")"
        }
        if let error = error as? PSQLError { return "\(error.code)" }
        return "\(type(of: error))"
    }
}
