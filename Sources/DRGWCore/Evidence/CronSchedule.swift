import Foundation

/// A cron expression: five fields (minute hour day-of-month month day-of-week) or six (seconds
/// first), or one of `@yearly`, `@monthly`, `@weekly`, `@daily`, `@hourly`.
///
/// Fields take `*`, `?` (day fields), numbers, ranges `a-b`, steps `*/n`, `a-b/n`, `a/n`, lists
/// `a,b`, and names (`jan`…`dec`, `sun`…`sat`; 7 is Sunday too). As in Vixie cron, when both
/// day-of-month and day-of-week are restricted a day matches either.
///
/// Wall-clock times are read in a time zone, and daylight-saving changes are handled the way
/// cronie does: a time that a spring-forward skips fires once at the end of the gap; a time that
/// a fall-back repeats fires at its first occurrence only, unless the hour field is `*` (a
/// schedule that runs every hour keeps running through the repeated hour).
public struct CronSchedule: Sendable, Equatable {
    /// The expression as given.
    public let expression: String
    let seconds: Set<Int>
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    /// 0 = Sunday … 6 = Saturday.
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool
    let hourRestricted: Bool

    /// Why an expression was refused: `field` names the part (`expression`, `second`, `minute`, …).
    public struct ParseError: Error, Equatable, Sendable {
        public let field: String
        public let message: String
    }

    private struct Field {
        let name: String
        let range: ClosedRange<Int>
        let names: [String: Int]
    }

    private static let monthNames = [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    ]
    private static let dayNames = ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6]
    private static let macros = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    /// Parses an expression; throws naming the first bad field.
    public init(parsing expression: String) throws(ParseError) {
        let trimmed = expression.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.count <= 200 else {
            throw ParseError(field: "expression", message: "must be 1 to 200 characters")
        }
        let text = Self.macros[trimmed.lowercased()] ?? trimmed
        var parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard parts.count == 5 || parts.count == 6 else {
            throw ParseError(field: "expression", message: "must have 5 fields (minute hour day month weekday) or 6 (seconds first)")
        }
        if parts.count == 5 { parts.insert("0", at: 0) }
        let fields = [
            Field(name: "second", range: 0...59, names: [:]), Field(name: "minute", range: 0...59, names: [:]),
            Field(name: "hour", range: 0...23, names: [:]), Field(name: "dayOfMonth", range: 1...31, names: [:]),
            Field(name: "month", range: 1...12, names: Self.monthNames), Field(name: "dayOfWeek", range: 0...7, names: Self.dayNames),
        ]
        var sets: [Set<Int>] = []
        for (part, field) in zip(parts, fields) { sets.append(try Self.parse(part, field)) }
        self.expression = expression
        seconds = sets[0]
        minutes = sets[1]
        hours = sets[2]
        daysOfMonth = sets[3]
        months = sets[4]
        daysOfWeek = Set(sets[5].map { $0 % 7 })
        hourRestricted = !Self.isWildcard(parts[2])
        dayOfMonthRestricted = !Self.isWildcard(parts[3])
        dayOfWeekRestricted = !Self.isWildcard(parts[5])
        // A day-of-month that no allowed month has (e.g. `31 2`) never fires.
        let longest = months.map { [1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31][$0]! }.max() ?? 31
        if dayOfMonthRestricted, !dayOfWeekRestricted, (daysOfMonth.min() ?? 1) > longest {
            throw ParseError(field: "dayOfMonth", message: "never occurs in the given months")
        }
    }

    private static func isWildcard(_ part: String) -> Bool { part == "*" || part == "?" }

    private static func parse(_ part: String, _ field: Field) throws(ParseError) -> Set<Int> {
        var result = Set<Int>()
        for item in part.lowercased().split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = item.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, let base = pieces.first, !base.isEmpty else { throw bad(field, "'\(item)' is not a value, range or step") }
            var step = 1
            if pieces.count == 2 {
                guard let value = Int(pieces[1]), value >= 1, value <= field.range.upperBound + 1 else {
                    throw bad(field, "step in '\(item)' must be a number from 1 to \(field.range.upperBound + 1)")
                }
                step = value
            }
            let low: Int
            let high: Int
            if base == "*" || base == "?" {
                guard base == "*" || field.name == "dayOfMonth" || field.name == "dayOfWeek" else { throw bad(field, "'?' is only for day fields") }
                (low, high) = (field.range.lowerBound, field.name == "dayOfWeek" ? 6 : field.range.upperBound)
            } else {
                let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2 else { throw bad(field, "'\(item)' is not a range") }
                low = try value(bounds[0], field)
                // `a/n` runs from a to the end of the field's range.
                high = bounds.count == 2 ? try value(bounds[1], field) : (pieces.count == 2 ? field.range.upperBound : low)
                guard low <= high else { throw bad(field, "range '\(base)' runs backwards") }
            }
            for v in stride(from: low, through: high, by: step) { result.insert(v) }
        }
        return result
    }

    private static func value(_ text: Substring, _ field: Field) throws(ParseError) -> Int {
        if let number = Int(text), field.range.contains(number) { return number }
        if let named = field.names[String(text)] { return named }
        throw bad(field, "'\(text)' is not in \(field.range.lowerBound)-\(field.range.upperBound)")
    }

    private static func bad(_ field: Field, _ message: String) -> ParseError {
        ParseError(field: field.name, message: message)
    }

    // MARK: Next time

    /// The first fire time strictly after `date` in `timeZone` (whole seconds), or nil when none
    /// falls within `horizon` (e.g. `0 0 30 2 *` never fires; the default looks 5 years ahead).
    public func nextDate(after date: Date, in timeZone: TimeZone, horizon: TimeInterval = 5 * 366 * 86_400) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let end = date.addingTimeInterval(horizon)
        var t = Date(timeIntervalSince1970: (date.timeIntervalSince1970 + 1).rounded(.down))
        while t <= end {
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: t)
            guard let month = c.month, let day = c.day, let hour = c.hour, let minute = c.minute, let second = c.second,
                let weekday = c.weekday
            else { return nil }
            if !months.contains(month) {
                t = startOfNextMonth(t, calendar) ?? end.addingTimeInterval(1)
                continue
            }
            if !dayMatches(day: day, weekday: weekday - 1) {
                t = startOfNextDay(t, calendar) ?? end.addingTimeInterval(1)
                continue
            }
            if firesAtEndOfGap(t, local: (hour, minute, second), timeZone: timeZone) { return t }
            let hourStart = t.addingTimeInterval(-Double(minute * 60 + second))
            if !hours.contains(hour) || isRepeatedWallTime(t, timeZone: timeZone) && hourRestricted {
                t = hourStart.addingTimeInterval(3600)
                continue
            }
            if !minutes.contains(minute) {
                t = t.addingTimeInterval(Double(60 - second))
                continue
            }
            if !seconds.contains(second) {
                // The next allowed second in this minute, or the next minute.
                if let next = seconds.filter({ $0 > second }).min() {
                    t = t.addingTimeInterval(Double(next - second))
                } else {
                    t = t.addingTimeInterval(Double(60 - second))
                }
                continue
            }
            return t
        }
        return nil
    }

    func dayMatches(day: Int, weekday: Int) -> Bool {
        let domOK = daysOfMonth.contains(day)
        let dowOK = daysOfWeek.contains(weekday)
        switch (dayOfMonthRestricted, dayOfWeekRestricted) {
        case (true, true): return domOK || dowOK
        case (true, false): return domOK
        case (false, true): return dowOK
        case (false, false): return true
        }
    }

    private func startOfNextDay(_ t: Date, _ calendar: Calendar) -> Date? {
        calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: t)).map { calendar.startOfDay(for: $0) }
    }

    private func startOfNextMonth(_ t: Date, _ calendar: Calendar) -> Date? {
        guard let first = calendar.date(from: calendar.dateComponents([.year, .month], from: t)) else { return nil }
        return calendar.date(byAdding: .month, value: 1, to: first).map { calendar.startOfDay(for: $0) }
    }

    /// True at the instant a spring-forward ends when a time of this day that the clock skipped
    /// would have fired (the wall times in `[local − jump, local)` never happened).
    private func firesAtEndOfGap(_ t: Date, local: (hour: Int, minute: Int, second: Int), timeZone: TimeZone) -> Bool {
        let jump = timeZone.secondsFromGMT(for: t) - timeZone.secondsFromGMT(for: t.addingTimeInterval(-1))
        guard jump > 0 else { return false }
        let now = local.hour * 3600 + local.minute * 60 + local.second
        for skipped in stride(from: now - jump, to: now, by: 1) where skipped >= 0 {
            let h = skipped / 3600, m = skipped / 60 % 60, s = skipped % 60
            if hours.contains(h), minutes.contains(m), seconds.contains(s) { return true }
        }
        return false
    }

    /// True when the wall-clock time of `t` already happened earlier because a fall-back repeated it.
    private func isRepeatedWallTime(_ t: Date, timeZone: TimeZone) -> Bool {
        let offset = timeZone.secondsFromGMT(for: t)
        // Shifts are at most a few hours; look for a larger offset within the last 3 hours whose
        // wall time equals ours.
        for back in stride(from: 900, through: 3 * 3600, by: 900) {
            let earlier = t.addingTimeInterval(-Double(back))
            let earlierOffset = timeZone.secondsFromGMT(for: earlier)
            if earlierOffset - offset == back { return true }
        }
        return false
    }
}
