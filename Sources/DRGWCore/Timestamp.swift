import Foundation

/// Timestamp formats used on the wire, in UTC. Pure arithmetic on the civil calendar: no
/// formatter objects, so signing and verifying stay cheap on the hot path.
public enum Timestamp {
    /// RFC 3339 with milliseconds in UTC, e.g. `2026-01-15T08:30:00.000Z` (the unified API).
    public static func rfc3339(_ date: Date) -> String {
        let c = Civil(date)
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2)).\(pad(c.millisecond, 3))Z"
    }

    /// `yyyyMMdd'T'HHmmss'Z'` (Huawei `X-Sdk-Date`).
    public static func basicISO8601(_ date: Date) -> String {
        let c = Civil(date)
        return "\(pad(c.year, 4))\(pad(c.month, 2))\(pad(c.day, 2))T\(pad(c.hour, 2))\(pad(c.minute, 2))\(pad(c.second, 2))Z"
    }

    /// `yyyy-MM-dd'T'HH:mm:ss'Z'` (Alibaba `Timestamp`, `x-acs-date`).
    public static func iso8601Seconds(_ date: Date) -> String {
        let c = Civil(date)
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))Z"
    }

    /// RFC 9110 IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT` (the HTTP `Date` header).
    public static func httpDate(_ date: Date) -> String {
        let c = Civil(date)
        let days = Civil.days(year: c.year, month: c.month, day: c.day)
        let weekday = Int(((days % 7) + 11) % 7)  // 1970-01-01 was a Thursday (index 4 from Sunday)
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(weekdays[weekday]), \(pad(c.day, 2)) \(months[c.month - 1]) \(pad(c.year, 4)) \(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2)) GMT"
    }

    /// Parses `yyyyMMdd'T'HHmmss'Z'`.
    public static func parseBasicISO8601(_ string: String) -> Date? {
        parse(string, layout: "YYYYMMDDThhmmssZ")
    }

    /// Parses `yyyy-MM-dd'T'HH:mm:ss'Z'`.
    public static func parseISO8601Seconds(_ string: String) -> Date? {
        parse(string, layout: "YYYY-MM-DDThh:mm:ssZ")
    }

    /// Parses RFC 3339 in UTC with or without milliseconds.
    public static func parseRFC3339(_ string: String) -> Date? {
        parse(string, layout: "YYYY-MM-DDThh:mm:ss.fffZ") ?? parse(string, layout: "YYYY-MM-DDThh:mm:ssZ")
    }

    // MARK: Civil calendar

    /// Broken-down UTC time.
    struct Civil {
        var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millisecond = 0

        init() {}

        init(_ date: Date) {
            let totalMillis = Int64((date.timeIntervalSince1970 * 1000).rounded())
            var days = totalMillis / 86_400_000
            var rest = totalMillis % 86_400_000
            if rest < 0 {
                rest += 86_400_000
                days -= 1
            }
            (year, month, day) = Self.civil(fromDays: days)
            hour = Int(rest / 3_600_000)
            minute = Int(rest / 60_000 % 60)
            second = Int(rest / 1000 % 60)
            millisecond = Int(rest % 1000)
        }

        /// Days since 1970-01-01 → (year, month, day), proleptic Gregorian.
        static func civil(fromDays days: Int64) -> (Int, Int, Int) {
            let z = days + 719_468
            let era = (z >= 0 ? z : z - 146_096) / 146_097
            let doe = z - era * 146_097
            let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
            let mp = (5 * doy + 2) / 153
            let day = doy - (153 * mp + 2) / 5 + 1
            let month = mp < 10 ? mp + 3 : mp - 9
            return (Int(yoe + era * 400 + (month <= 2 ? 1 : 0)), Int(month), Int(day))
        }

        /// (year, month, day) → days since 1970-01-01.
        static func days(year: Int, month: Int, day: Int) -> Int64 {
            let y = Int64(month <= 2 ? year - 1 : year)
            let era = (y >= 0 ? y : y - 399) / 400
            let yoe = y - era * 400
            let m = Int64(month)
            let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
            let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
            return era * 146_097 + doe - 719_468
        }

        var date: Date {
            let days = Self.days(year: year, month: month, day: day)
            let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
            return Date(timeIntervalSince1970: Double(seconds) + Double(millisecond) / 1000)
        }
    }

    /// Reads digits where `layout` has Y, M, D, h, m, s or f; every other layout byte must match exactly.
    private static func parse(_ string: String, layout: StaticString) -> Date? {
        let input = Array(string.utf8)
        guard input.count == layout.utf8CodeUnitCount else { return nil }
        var c = Civil()
        for (index, letter) in UnsafeBufferPointer(start: layout.utf8Start, count: layout.utf8CodeUnitCount).enumerated() {
            let byte = input[index]
            switch letter {
            case UInt8(ascii: "Y"), UInt8(ascii: "M"), UInt8(ascii: "D"), UInt8(ascii: "h"), UInt8(ascii: "m"),
                UInt8(ascii: "s"), UInt8(ascii: "f"):
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                let digit = Int(byte - 0x30)
                switch letter {
                case UInt8(ascii: "Y"): c.year = c.year * 10 + digit
                case UInt8(ascii: "M"): c.month = c.month * 10 + digit
                case UInt8(ascii: "D"): c.day = c.day * 10 + digit
                case UInt8(ascii: "h"): c.hour = c.hour * 10 + digit
                case UInt8(ascii: "m"): c.minute = c.minute * 10 + digit
                case UInt8(ascii: "s"): c.second = c.second * 10 + digit
                default: c.millisecond = c.millisecond * 10 + digit
                }
            default:
                guard byte == letter else { return nil }
            }
        }
        guard (1...12).contains(c.month), (1...31).contains(c.day), c.hour < 24, c.minute < 60, c.second < 61 else { return nil }
        // Reject days past the month's end (e.g. 02-30) by round-tripping the date.
        let check = Civil(c.date)
        guard check.month == c.month, check.day == c.day || c.second == 60 else { return nil }
        return c.date
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
