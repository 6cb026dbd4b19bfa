import DRGWCore
import PostgresNIO

/// The drill-report statements a drill create and its poll run, prepared like the others.
extension PostgresStatements {
    /// The row a report is read from: tenant, body, next_check_at, delete_attempts, slot,
    /// requested_at, id.
    typealias ReportColumns = (String, String, Double?, Int, Double?, Double, String)

    static let reportSet = """
        tenant = $1, account = $2, protection_group_id = $3, drill_id = $4, requested_at = $5, ready_at = $6,
          outcome = $7, cleanup_status = $8, next_check_at = $9, delete_attempts = $10, schedule_id = $11, slot = $12, body = $13
        """

    struct ReportByID: PostgresPreparedStatement {
        static let sql = "SELECT tenant, body, next_check_at, delete_attempts, slot, requested_at, id FROM drill_reports WHERE id = $1"
        typealias Row = ReportColumns
        var id: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(id)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> ReportColumns { try row.decode(ReportColumns.self) }
    }

    /// Inserts a report unless one with its id exists; a row when inserted.
    struct InsertReport: ReportWrite {
        static let sql = """
            INSERT INTO drill_reports (tenant, account, protection_group_id, drill_id, requested_at, ready_at, outcome,
              cleanup_status, next_check_at, delete_attempts, schedule_id, slot, body, id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            ON CONFLICT (id) DO NOTHING RETURNING 1
            """
        var id: String
        var values: PostgresReportValues
    }

    /// Writes a report only when its row is still the one that was read (every column a writer
    /// changes compared): an optimistic read-modify-write in two round trips, no lock held in
    /// between. A row when written.
    struct UpdateReportIfUnchanged: PostgresPreparedStatement {
        static let sql = """
            UPDATE drill_reports SET \(reportSet)
            WHERE id = $14 AND tenant = $15 AND body = $16 AND next_check_at IS NOT DISTINCT FROM $17
              AND delete_attempts = $18 AND slot IS NOT DISTINCT FROM $19 AND requested_at = $20
            RETURNING 1
            """
        typealias Row = Int
        var id: String
        var values: PostgresReportValues
        var read: ReportColumns

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 20)
            values.append(to: &bindings)
            bindings.append(id)
            bindings.append(read.0)
            bindings.append(read.1)
            bindings.append(read.2)
            bindings.append(read.3)
            bindings.append(read.4)
            bindings.append(read.5)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int { try row.decode(Int.self) }
    }

    /// Writes a report unconditionally (under the row lock of the fallback transaction).
    struct UpdateReport: ReportWrite {
        static let sql = "UPDATE drill_reports SET \(reportSet) WHERE id = $14"
        var id: String
        var values: PostgresReportValues
    }
}

/// A statement binding a report's 13 values as `$1`…`$13` and its id as `$14`.
protocol ReportWrite: PostgresPreparedStatement where Row == Int {
    var id: String { get }
    var values: PostgresReportValues { get }
}

extension ReportWrite {
    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 14)
        values.append(to: &bindings)
        bindings.append(id)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int { try row.decode(Int.self) }
}
