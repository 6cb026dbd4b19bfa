import Foundation

/// Timestamp formats used on the wire.
public enum Timestamp {
    /// RFC 3339 with milliseconds in UTC, e.g. `2026-01-15T08:30:00.000Z` (the unified API).
    public static func rfc3339(_ date: Date) -> String {
        format(date, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", millis: true)
    }

    /// `yyyyMMdd'T'HHmmss'Z'` (Huawei `X-Sdk-Date`).
    public static func basicISO8601(_ date: Date) -> String {
        format(date, "%04d%02d%02dT%02d%02d%02dZ", millis: false)
    }

    /// `yyyy-MM-dd'T'HH:mm:ss'Z'` (Alibaba `Timestamp`, `x-acs-date`).
    public static func iso8601Seconds(_ date: Date) -> String {
        format(date, "%04d-%02d-%02dT%02d:%02d:%02dZ", millis: false)
    }

    private static func format(_ date: Date, _ pattern: String, millis: Bool) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
        var args: [any CVarArg] = [c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!]
        if millis { args.append((c.nanosecond ?? 0) / 1_000_000) }
        return String(format: pattern, arguments: args)
    }

    /// Parses `yyyyMMdd'T'HHmmss'Z'`.
    public static func parseBasicISO8601(_ string: String) -> Date? {
        parse(string, formats: ["yyyyMMdd'T'HHmmss'Z'"])
    }

    /// Parses `yyyy-MM-dd'T'HH:mm:ss'Z'`.
    public static func parseISO8601Seconds(_ string: String) -> Date? {
        parse(string, formats: ["yyyy-MM-dd'T'HH:mm:ss'Z'"])
    }

    /// Parses RFC 3339 with or without fractional seconds.
    public static func parseRFC3339(_ string: String) -> Date? {
        parse(string, formats: ["yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", "yyyy-MM-dd'T'HH:mm:ss'Z'"])
    }

    /// The first format that parses, in UTC with the POSIX locale.
    private static func parse(_ string: String, formats: [String]) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        for format in formats {
            formatter.dateFormat = format
            if let date = formatter.date(from: string) { return date }
        }
        return nil
    }
}
