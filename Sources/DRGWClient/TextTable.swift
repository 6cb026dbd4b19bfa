/// Rows under a header, columns padded to their widest cell; the last column is not padded.
public struct TextTable: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[String]]

    public init(columns: [String], rows: [[String]] = []) {
        self.columns = columns
        self.rows = rows
    }

    /// The table as lines of text, each ending with a newline. Tabs and line breaks in cells
    /// become spaces, so that one row stays one line.
    public func render() -> String {
        let all = [columns] + rows.map { row in row.map(Self.flatten) }
        var widths = Array(repeating: 0, count: columns.count)
        for row in all {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        var text = ""
        for row in all {
            var line = ""
            for (index, cell) in row.enumerated() where index < widths.count {
                if index > 0 { line += "  " }
                line += cell
                if index < row.count - 1 { line += String(repeating: " ", count: widths[index] - cell.count) }
            }
            text += line + "\n"
        }
        return text
    }

    /// A two-column "field value" view of one resource.
    public static func fields(_ pairs: [(String, String?)]) -> TextTable {
        TextTable(columns: ["FIELD", "VALUE"], rows: pairs.map { [$0.0, $0.1 ?? "-"] })
    }

    static func flatten(_ cell: String) -> String {
        String(cell.map { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : $0 })
    }
}
