import DRGWCore
import Foundation
import Testing

@testable import HuaweiSDRS

@Suite struct HuaweiDataTableTests {
    let tables = HuaweiTables.shared

    /// The notes live in `../shared` beside the repository (CI lays them out that way).
    static var notesURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/providers/huawei-sdrs.md")
    }

    static var notesAvailable: Bool { FileManager.default.fileExists(atPath: notesURL.path) }

    @Test(.enabled(if: notesAvailable, "the research notes are not beside the repository"))
    func errorTableCoversEveryCodeInTheNotes() throws {
        let text = try String(contentsOf: Self.notesURL, encoding: .utf8)
        let regex = try NSRegularExpression(pattern: #"(SDRS|APIGW)\.[0-9]{4}"#)
        let found = Set(regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
            String(text[Range($0.range, in: text)!])
        })
        #expect(found.count > 200)
        let missing = found.filter { tables.errors.codes[$0] == nil }.sorted()
        #expect(missing.isEmpty, "codes without a mapping: \(missing)")
    }

    @Test func everyMappingNamesAContractCode() {
        for (code, mapping) in tables.errors.codes.merging(tables.errors.prefixes, uniquingKeysWith: { a, _ in a }) {
            #expect(ProblemCode.named(mapping.problem) != nil, "\(code) → \(mapping.problem)")
        }
    }

    @Test(arguments: [
        ("SDRS.1013", "not_found", false, true),
        ("SDRS.1902", "not_found", false, true),
        ("SDRS.0209", "conflict", false, true),
        ("SDRS.1002", "conflict", false, true),
        ("SDRS.1913", "conflict", false, true),
        ("SDRS.0202", "invalid_request", false, true),
        ("SDRS.0013", "upstream_error", true, false),
        ("APIGW.0301", "upstream_auth_failed", false, true),
        ("APIGW.0308", "rate_limited", true, true),
        ("APIGW.0399", "upstream_auth_failed", false, true),
    ])
    func knownCodesMap(_ code: String, _ problem: String, _ retryable: Bool, _ notExecuted: Bool) {
        let mapping = tables.errors.mapping(for: code)
        #expect(mapping?.problem == problem)
        #expect(mapping?.retryable == retryable)
        #expect(mapping?.notExecuted == notExecuted)
    }

    @Test func statusTables() {
        let s = tables.statuses
        #expect(s.drillStatus("available") == .ready)
        #expect(s.drillStatus("creating") == .creating)
        #expect(s.drillStatus("deleting") == .deleting)
        #expect(s.drillStatus("error") == .failed)
        #expect(s.drillStatus("error-deleting") == .failed)
        #expect(s.groupStatus("protected") == .protected)
        #expect(s.groupStatus("failed-over") == .failedOver)
        #expect(s.groupStatus("failing-over") == .failingOver)
        #expect(s.groupStatus("error-reprotecting") == .error)
        #expect(s.groupStatus("reversing") == .reversing)
        #expect(s.terminal?["SUCCESS"] == "succeeded")
        #expect(s.terminal?["FAIL"] == "failed")
        #expect(s.terminal?["RUNNING"] == nil)
    }

    @Test func endpoints() {
        let e = tables.endpoints
        #expect(e.endpoint(for: "ap-southeast-3") == "https://sdrs.ap-southeast-3.myhuaweicloud.com")
        #expect(e.endpoint(for: "ap-southeast-2") == "https://sdrs.ap-southeast-3.myhuaweicloud.com")
        #expect(e.endpoint(for: "la-north-2") == "https://sdrs.la-north-2.myhuaweicloud.com")
    }
}
