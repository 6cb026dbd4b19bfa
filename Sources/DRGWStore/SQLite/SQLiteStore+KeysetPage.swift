import DRGWCore
import Foundation
import GRDB

/// Keyset paging on (a time column, id): the cursor names the last row's position, so pages stay
/// stable while rows are added. Used by reports (newest first) and schedules (oldest first).
extension SQLiteStore {
    struct KeysetPage {
        /// Cursor prefix, e.g. `rpt`.
        var prefix: String
        /// The time column (REAL, epoch seconds).
        var column: String
        var descending: Bool
        var limit: Int
    }

    /// The (time, id) position a cursor of `prefix` names; throws `StoreCursorError` for anything else.
    static func keysetPosition(_ cursor: String, prefix: String) throws -> (Double, String) {
        try EvidenceRecord.position(cursor, prefix: prefix)
    }

    /// Runs `sql` (a SELECT with a WHERE clause, returning the time column and `id`) one page at a time.
    func keysetPage<Item: Sendable & Codable>(
        _ sql: String, arguments: StatementArguments, cursor: String?, _ page: KeysetPage, decode: @escaping @Sendable (Row) -> Item?
    ) async throws -> Page<Item> {
        var sql = sql
        var arguments = arguments
        let after = page.descending ? "<" : ">"
        if let cursor {
            let (time, id) = try Self.keysetPosition(cursor, prefix: page.prefix)
            sql += " AND (\(page.column) \(after) ? OR (\(page.column) = ? AND id \(after) ?))"
            arguments += [time, time, id]
        }
        let order = page.descending ? "DESC" : "ASC"
        sql += " ORDER BY \(page.column) \(order), id \(order) LIMIT \(page.limit + 1)"
        let statement = sql
        let bound = arguments
        return try await writer.read { db in
            let rows = try Row.fetchAll(db, sql: statement, arguments: bound)
            let slice = Array(rows.prefix(page.limit))
            var next: String?
            if rows.count > page.limit, let last = slice.last, let time = last[page.column] as Double?, let id = last["id"] as String? {
                next = EvidenceRecord.cursor(prefix: page.prefix, time: time, id: id)
            }
            return Page(items: slice.compactMap(decode), nextCursor: next)
        }
    }
}
