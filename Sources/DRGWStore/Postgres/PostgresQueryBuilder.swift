import PostgresNIO

/// Builds a statement whose filters depend on the request, binding each value as `$n`.
struct PostgresQueryBuilder {
    var sql: String
    private var bindings = PostgresBindings()

    init(_ sql: String) {
        self.sql = sql
    }

    /// Binds `value` and returns its placeholder.
    mutating func bind<Value: PostgresEncodable & Sendable>(_ value: Value) throws -> String {
        try bindings.append(value)
        return "$\(bindings.count)"
    }

    /// Binds `value` (NULL when absent) and returns its placeholder.
    mutating func bind<Value: PostgresEncodable & Sendable>(_ value: Value?) throws -> String {
        try bindings.append(value)
        return "$\(bindings.count)"
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: bindings) }
}
