import AlibabaEBS
import DRGWCore
import Foundation
import Testing

@Suite struct ErrorMappingTests {
    struct Case: Sendable, CustomStringConvertible {
        var httpStatus: Int
        var code: String
        var problem: String
        var status: Int
        var retryable: Bool
        var description: String { code }
    }

    static let cases: [Case] = [
        Case(httpStatus: 400, code: "Throttling.User", problem: "rate_limited", status: 429, retryable: true),
        Case(httpStatus: 503, code: "Throttling", problem: "rate_limited", status: 429, retryable: true),
        Case(httpStatus: 429, code: "Throttling.Whatever", problem: "rate_limited", status: 429, retryable: true),
        Case(httpStatus: 400, code: "IdempotentParameterMismatch", problem: "idempotency_key_reused", status: 422, retryable: false),
        Case(httpStatus: 403, code: "LastTokenProcessing", problem: "idempotency_key_in_use", status: 409, retryable: true),
        Case(httpStatus: 400, code: "InvalidParameter.Format", problem: "invalid_request", status: 400, retryable: false),
        Case(httpStatus: 400, code: "MissingPairId", problem: "invalid_request", status: 400, retryable: false),
        Case(httpStatus: 403, code: "OperationDenied.InvalidStatus", problem: "conflict", status: 409, retryable: false),
        Case(httpStatus: 403, code: "OperationDenied.RecoverPointNotFound", problem: "conflict", status: 409, retryable: false),
        Case(httpStatus: 403, code: "OperationDenied.SomethingNew", problem: "conflict", status: 409, retryable: false),
        Case(httpStatus: 403, code: "NoSuchResource", problem: "not_found", status: 404, retryable: false),
        Case(httpStatus: 403, code: "Forbidden.Action", problem: "upstream_auth_failed", status: 502, retryable: false),
        Case(httpStatus: 400, code: "SignatureDoesNotMatch", problem: "upstream_auth_failed", status: 502, retryable: false),
        Case(httpStatus: 400, code: "IncompleteSignature", problem: "upstream_auth_failed", status: 502, retryable: false),
        Case(httpStatus: 404, code: "InvalidAccessKeyId.NotFound", problem: "upstream_auth_failed", status: 502, retryable: false),
        Case(httpStatus: 400, code: "InvalidTimeStamp.Expired", problem: "upstream_auth_failed", status: 502, retryable: false),
        Case(httpStatus: 400, code: "SignatureNonceUsed", problem: "upstream_auth_failed", status: 502, retryable: true),
        Case(httpStatus: 500, code: "InternalError", problem: "upstream_error", status: 502, retryable: true),
        Case(httpStatus: 503, code: "ServiceUnavailable", problem: "upstream_unavailable", status: 503, retryable: true),
        Case(httpStatus: 504, code: "RequestTimeout", problem: "upstream_timeout", status: 504, retryable: true),
        Case(httpStatus: 418, code: "NeverHeardOf", problem: "upstream_error", status: 502, retryable: false),
        Case(httpStatus: 404, code: "NeverHeardOf", problem: "not_found", status: 404, retryable: false),
    ]

    @Test(arguments: cases) func mapsErrorBody(_ c: Case) throws {
        let body = """
            {"RequestId":"REQ-\(c.code)","HostId":"ebs.cn-shanghai.aliyuncs.com","Code":"\(c.code)",\
            "Message":"Specified signature is not matched with our calculation. server string to sign is:POST&%2F&secret-ish",\
            "Recommend":"https://api.aliyun.com/troubleshoot?q=\(c.code)"}
            """
        let problem = AlibabaErrorBody.problem(status: c.httpStatus, headers: [], body: Array(body.utf8))
        #expect(problem.code == c.problem)
        #expect(problem.status == c.status)
        #expect(problem.retryable == c.retryable)
        #expect(problem.provider == "alibaba-ebs")
        #expect(problem.providerCode == c.code)
        #expect(problem.providerRequestId == "REQ-\(c.code)")
        let rendered = String(decoding: try JSONEncoder().encode(problem), as: UTF8.self)
        if c.code.hasPrefix("Signature") || c.code == "IncompleteSignature" {
            #expect(!rendered.contains("string to sign"))
            #expect(!rendered.contains("POST&"))
        }
        if c.problem == "rate_limited" { #expect(problem.retryAfter != nil) }
    }

    @Test func throttlingHonoursRetryAfterHeaders() {
        let body = Array(#"{"RequestId":"R","Code":"Throttling.User","Message":"Request was denied due to user flow control."}"#.utf8)
        #expect(AlibabaErrorBody.problem(status: 400, headers: [("x-acs-retry-after", "2500")], body: body).retryAfter == 3)
        #expect(AlibabaErrorBody.problem(status: 400, headers: [("Retry-After", "7")], body: body).retryAfter == 7)
        #expect(AlibabaErrorBody.problem(status: 400, headers: [], body: body).retryAfter == 1)
    }

    @Test func unreadableBodyIsAnUpstreamError() {
        let problem = AlibabaErrorBody.problem(status: 502, headers: [], body: Array("<html>bad gateway</html>".utf8))
        #expect(problem.code == "upstream_error")
        #expect(problem.retryable)
        #expect(AlibabaErrorBody.problem(status: 403, headers: [], body: []).code == "upstream_error")
    }

    /// Every `Code` named in the research notes' error tables must be in `errors.json`
    /// (exactly, or through a prefix for the wildcard rows).
    @Test func errorTableCoversEveryCodeInTheNotes() throws {
        let notes = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("../shared/providers/alibaba-ebs.md").standardizedFileURL
        guard let text = try? String(contentsOf: notes, encoding: .utf8) else { return }
        guard let start = text.range(of: "## 3. Errors"), let end = text.range(of: "## 4. ClientToken") else {
            Issue.record("notes have no §3")
            return
        }
        let section = text[start.upperBound..<end.lowerBound]
        var found: Set<String> = []
        for line in section.split(separator: "\n") where line.hasPrefix("| ") {
            let columns = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard columns.count > 3, Int(columns[1].prefix(3)) != nil else { continue }
            let column = columns[2]
            if column.contains("`") {
                // Backticked codes: every odd piece between backticks.
                let pieces = column.components(separatedBy: "`")
                for index in stride(from: 1, to: pieces.count, by: 2) { found.insert(pieces[index]) }
            } else if !column.isEmpty {
                found.insert(column)
            }
        }
        #expect(found.count >= 50)
        let table = AlibabaTables.errors
        for code in found.sorted() {
            if code.hasSuffix(".*") {
                #expect(table.prefixes[String(code.dropLast(2))] != nil, "no prefix rule for \(code)")
            } else if let brace = code.firstIndex(of: "{") {
                #expect(table.prefixes[String(code[..<brace])] != nil, "no prefix rule for \(code)")
            } else {
                #expect(table.codes[code] != nil, "errors.json lacks \(code)")
            }
        }
    }

    @Test func statusTablesMapEveryDocumentedStatus() {
        let groupStatuses: [String: ProtectionGroupStatus] = [
            "normal": .protected, "syncing": .protected, "initial_syncing": .protected, "manual_syncing": .protected,
            "created": .available, "stopped": .available, "failovered": .failedOver, "failovering": .failingOver,
            "stopping": .stopping, "deleting": .deleting, "deleted": .deleted, "creating": .creating,
            "reprotecting": .reversing, "invalid": .error, "create_failed": .error, "stop_failed": .error,
            "failover_failed": .error, "reprotect_failed": .error, "delete_failed": .error,
        ]
        for (upstream, unified) in groupStatuses {
            #expect(AlibabaTables.statuses.protectionGroup[upstream] == unified.rawValue, "\(upstream)")
        }
        let drillStatuses: [String: DrillStatus] = [
            "executing": .creating, "executed": .ready, "execute_failed": .failed, "clearing": .deleting, "clear_failed": .failed,
        ]
        for (upstream, unified) in drillStatuses {
            #expect(AlibabaTables.statuses.drill[upstream] == unified.rawValue, "\(upstream)")
        }
    }

    @Test func operationRulesFollowTheStateMachines() throws {
        let ops = AlibabaTables.operations
        let create = try #require(ops["drill.create"])
        #expect(create.outcome(forStatus: "executing") == .running)
        #expect(create.outcome(forStatus: "executed") == .succeeded)
        #expect(create.outcome(forStatus: "execute_failed") == .failed)
        let clear = try #require(ops["drill.delete"])
        #expect(clear.outcome(forStatus: "clearing") == .running)
        #expect(clear.outcome(forStatus: nil) == .succeeded)
        #expect(clear.outcome(forStatus: "clear_failed") == .failed)
        let start = try #require(ops["protectionGroup.start"])
        #expect(start.outcome(forStatus: "initial_syncing") == .running)
        #expect(start.outcome(forStatus: "normal") == .succeeded)
        #expect(try #require(ops["protectionGroup.failover"]).outcome(forStatus: "failovered") == .succeeded)
        #expect(try #require(ops["protectionGroup.stop"]).outcome(forStatus: "stopped") == .succeeded)
        #expect(try #require(ops["protectionGroup.reprotect"]).outcome(forStatus: "reprotecting") == .running)
        #expect(try #require(ops["protectionGroup.delete"]).outcome(forStatus: nil) == .succeeded)
    }
}
