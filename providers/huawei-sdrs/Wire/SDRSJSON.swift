import DRGWCore
import Foundation

/// JSON coders with the snake_case key strategy of the SDRS wire format.
public enum SDRSJSON {
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }

    /// Drill timestamps: `yyyy-MM-dd HH:mm:ss.SSS` in UTC.
    public static func drillTime(_ date: Date) -> String {
        let iso = Timestamp.rfc3339(date)  // yyyy-MM-ddTHH:mm:ss.SSSZ
        return String(iso.dropLast()).replacingOccurrences(of: "T", with: " ")
    }

    /// Converts a drill timestamp to RFC 3339 (UTC assumed); other strings pass through.
    public static func rfc3339(fromDrillTime text: String) -> String {
        let pattern = #"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$"#
        guard text.range(of: pattern, options: .regularExpression) != nil else { return text }
        var out = text.replacingOccurrences(of: " ", with: "T")
        if !out.contains(".") { out += ".000" }
        return out + "Z"
    }
}
