import DRGWCore
import Foundation

/// An API type as a person reads it: the columns of a list, and every field of one resource.
public protocol Tabular {
    static var columns: [String] { get }
    func cells(now: Date) -> [String]
    func fields(now: Date) -> [(String, String?)]
}

extension Tabular {
    /// Items as a table under `columns`.
    public static func table(_ items: [Self], now: Date = Date()) -> TextTable {
        TextTable(columns: columns, rows: items.map { $0.cells(now: now) })
    }

    /// This one resource as a field/value table.
    public func detail(now: Date = Date()) -> TextTable {
        TextTable.fields(fields(now: now))
    }
}

func seconds(_ value: Double?) -> String? {
    value.map { String(format: "%.1f s", $0) }
}

func seconds(_ value: Int?) -> String? {
    value.map { "\($0) s" }
}

func time(_ value: Date?) -> String? {
    value.map(Timestamp.rfc3339)
}
