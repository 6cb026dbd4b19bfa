import Foundation

/// An ISO 8601 duration of fixed length (`PT2H`, `P1DT12H`, `P2W`, `PT90S`), as `cleanupAfter`
/// takes it. Years and months are refused: their length depends on the calendar, and a cleanup
/// deadline should not.
public struct ISO8601Duration: Sendable, Equatable, CustomStringConvertible {
    /// The length in seconds.
    public let seconds: Int
    /// The text it was parsed from.
    public let text: String

    public var description: String { text }

    /// Why a duration text was refused (`code` is stable; `message` is for people).
    public struct ParseError: Error, Equatable, Sendable {
        public let code: String
        public let message: String
    }

    /// Parses `P[nW][nD][T[nH][nM][nS]]` with non-negative integers (letters case-insensitive).
    public init(parsing text: String) throws(ParseError) {
        let upper = Array(text.uppercased().utf8)
        guard upper.count >= 3, upper.count <= 32, upper[0] == UInt8(ascii: "P") else {
            throw ParseError(code: "format", message: "must be an ISO 8601 duration such as PT2H or P1DT6H")
        }
        var total = 0
        var inTime = false
        var number: Int?
        var lastRank = -1
        for byte in upper.dropFirst() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let digit = Int(byte - UInt8(ascii: "0"))
                let next = (number ?? 0) * 10 + digit
                guard next < 100_000_000 else { throw ParseError(code: "range", message: "is too long") }
                number = next
            case UInt8(ascii: "T"):
                guard !inTime, number == nil else { throw Self.formatError }
                inTime = true
            default:
                guard let value = number else { throw Self.formatError }
                let (rank, unit): (Int, Int)
                switch (byte, inTime) {
                case (UInt8(ascii: "W"), false): (rank, unit) = (0, 604_800)
                case (UInt8(ascii: "D"), false): (rank, unit) = (1, 86_400)
                case (UInt8(ascii: "H"), true): (rank, unit) = (2, 3_600)
                case (UInt8(ascii: "M"), true): (rank, unit) = (3, 60)
                case (UInt8(ascii: "S"), true): (rank, unit) = (4, 1)
                case (UInt8(ascii: "Y"), false), (UInt8(ascii: "M"), false):
                    throw ParseError(code: "calendar", message: "may not use years or months (their length varies); use days or weeks")
                default: throw Self.formatError
                }
                guard rank > lastRank else { throw Self.formatError }
                lastRank = rank
                total += value * unit
                number = nil
            }
        }
        // A dangling number or a `T` with nothing after it is malformed.
        guard number == nil, lastRank >= 0, !(inTime && lastRank < 2) else { throw Self.formatError }
        self.seconds = total
        self.text = text
    }

    private static let formatError = ParseError(code: "format", message: "must be an ISO 8601 duration such as PT2H or P1DT6H")
}
