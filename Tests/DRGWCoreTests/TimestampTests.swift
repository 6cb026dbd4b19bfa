import DRGWCore
import Foundation
import Testing

@Suite("Timestamp")
struct TimestampTests {
    /// Foundation's formatter for `format` in UTC, and `count` random dates from 1900 to 2200 in
    /// steps of 1/`perSecond` seconds.
    static func reference(_ format: String, count: Int = 2000, perSecond: Int64) -> (DateFormatter, [Date]) {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        let steps = (-2_208_988_800 * perSecond)...(7_258_118_400 * perSecond)
        return (formatter, (0..<count).map { _ in Date(timeIntervalSince1970: Double(Int64.random(in: steps)) / Double(perSecond)) })
    }

    @Test func formatsMatchFoundation() {
        let (formatter, dates) = Self.reference("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", perSecond: 1000)
        for date in dates {
            #expect(Timestamp.rfc3339(date) == formatter.string(from: date))
            let parsed = Timestamp.parseRFC3339(Timestamp.rfc3339(date))?.timeIntervalSince1970 ?? 0
            #expect(abs(parsed - date.timeIntervalSince1970) < 0.0005)
        }
    }

    @Test func httpDateMatchesFoundation() {
        #expect(Timestamp.httpDate(Date(timeIntervalSince1970: 784_111_777)) == "Sun, 06 Nov 1994 08:49:37 GMT")
        // Whole seconds: every weekday, before and after 1970.
        let (formatter, dates) = Self.reference("EEE, dd MMM yyyy HH:mm:ss 'GMT'", perSecond: 1)
        for date in dates {
            #expect(Timestamp.httpDate(date) == formatter.string(from: date))
        }
    }

    @Test func wireFormats() {
        let date = Date(timeIntervalSince1970: 1_768_465_800)  // 2026-01-15T08:30:00Z
        #expect(Timestamp.basicISO8601(date) == "20260115T083000Z")
        #expect(Timestamp.iso8601Seconds(date) == "2026-01-15T08:30:00Z")
        #expect(Timestamp.parseBasicISO8601("20260115T083000Z") == date)
        #expect(Timestamp.parseISO8601Seconds("2026-01-15T08:30:00Z") == date)
        #expect(Timestamp.parseRFC3339("2026-01-15T08:30:00Z") == date)
        #expect(abs((Timestamp.parseRFC3339("2024-02-29T23:59:59.999Z")?.timeIntervalSince1970 ?? 0) - 1_709_251_199.999) < 0.0005)
    }

    @Test func malformedInputIsRefused() {
        for bad in ["", "20260115T083000", "2026011XT083000Z", "20261315T083000Z", "20260230T083000Z", "20260115T243000Z", "20260115 083000Z", "２0260115T083000Z"] {
            #expect(Timestamp.parseBasicISO8601(bad) == nil, "\(bad)")
        }
        #expect(Timestamp.parseISO8601Seconds("2026-01-15T08:30:00.000Z") == nil)
    }
}

@Suite("Header names")
struct HeaderNameTests {
    @Test func asciiCaseInsensitive() {
        #expect(HeaderName.equal("X-Request-Id", "x-request-id"))
        #expect(HeaderName.equal("", ""))
        #expect(!HeaderName.equal("X-Request-Id", "X-Request-Ids"))
        #expect(!HeaderName.equal("a", "b"))
        #expect(!HeaderName.equal("[", "{"))  // 0x5B vs 0x7B: only letters fold
        let response = UpstreamResponse(status: 200, headers: [("Content-Type", "application/json")])
        #expect(response.header("content-type") == "application/json")
        #expect(response.header("content-typ") == nil)
    }
}

@Suite("ASCII text")
struct ASCIITextTests {
    @Test func trimsOnlyASCIIWhitespaceAtTheEnds() {
        #expect(ASCIIText.trimmed("  a b\t\r\n") == "a b")
        #expect(ASCIIText.trimmed("plain") == "plain")
        #expect(ASCIIText.trimmed(" \t ") == "")
        #expect(ASCIIText.trimmed("") == "")
        #expect(ASCIIText.trimmed("\u{00A0}x\u{00A0}") == "\u{00A0}x\u{00A0}")  // NBSP is not ASCII whitespace
        #expect(ASCIIText.trimmed(" héllo ") == "héllo")
        let line = "Bearer  key  "
        #expect(ASCIIText.trimmed(line.dropFirst(7)) == "key")
    }
}

@Suite("ASCII search")
struct ASCIISearchTests {
    @Test func findsByteSequences() {
        #expect(ASCIIText.firstOffset(of: "://", in: "http://h/p") == 4)
        #expect(ASCIIText.firstOffset(of: "x", in: "") == nil)
        #expect(ASCIIText.firstOffset(of: "", in: "abc") == 0)
        #expect(ASCIIText.firstOffset(of: "abcd", in: "abc") == nil)
        #expect(ASCIIText.contains("a..b", ".."))
        #expect(!ASCIIText.contains("a.b.c", ".."))
        #expect(ASCIIText.contains("error-deleting", "error"))
        #expect(ASCIIText.contains("aab", "ab"))  // restarts after a partial match
    }
}

@Suite("Random ids")
struct RandomIDTests {
    @Test func uuidsAreVersion4AndDistinct() {
        let ids = (0..<200).map { _ in RandomID.uuid() }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            let b = Array(id.utf8)
            #expect(b.count == 36)
            #expect([8, 13, 18, 23].allSatisfy { b[$0] == UInt8(ascii: "-") })
            #expect(b[14] == UInt8(ascii: "4"))
            #expect([UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b")].contains(b[19]))
            #expect(id.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || $0 == 0x2D })
        }
        #expect(OpaqueID.random(prefix: "op").utf8.count == 35)
        #expect(RandomID.hex128() != RandomID.hex128())
    }
}

@Suite("Seeded generator")
struct SeededGeneratorTests {
    @Test func sameSeedSameSequenceAndUnitDrawsInRange() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
        var zero = SeededGenerator(seed: 0)
        #expect(zero.next() == 0xE220_A839_7B1D_CDAF)  // SplitMix64's published first output for seed 0
        for _ in 0..<1000 { let u = a.unit(); #expect(u >= 0 && u < 1) }
    }
}
