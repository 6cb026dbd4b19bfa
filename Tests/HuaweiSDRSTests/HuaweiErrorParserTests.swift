import DRGWCore
import Foundation
import Testing

@testable import HuaweiSDRS

@Suite struct HuaweiErrorParserTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var status: Int
        var body: String
        var requestId: String?
        var code: String
        var problemStatus: Int
        var providerCode: String?
        var retryable: Bool
        var testDescription: String { name }
    }

    static let secret = "exampleSecretKey/0123456789abcdefghijklmnopqrstuv"
    static let signature = "6bed235b9bf8bb302384334d5cc3c3d8f5bff64d1a4c59f5cbd1b9554109aa39"

    static let cases: [Case] = [
        Case(name: "flat error_code (APIG)", status: 401,
             body: #"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information","request_id":"r1"}"#,
             requestId: "req-1", code: "upstream_auth_failed", problemStatus: 502, providerCode: "APIGW.0301", retryable: false),
        Case(name: "flat errorCode", status: 429, body: #"{"errorCode":"APIGW.0308","errorMsg":"throttled"}"#,
             requestId: "req-2", code: "rate_limited", problemStatus: 429, providerCode: "APIGW.0308", retryable: true),
        Case(name: "flat code/message", status: 400, body: #"{"code":"SDRS.0202","message":"Invalid name"}"#,
             requestId: nil, code: "invalid_request", problemStatus: 400, providerCode: "SDRS.0202", retryable: false),
        Case(name: "nested error", status: 400, body: #"{"error":{"message":"XXXX","code":"SDRS.1013"}}"#,
             requestId: "req-4", code: "not_found", problemStatus: 404, providerCode: "SDRS.1013", retryable: false),
        Case(name: "nested badrequest", status: 400, body: #"{"badrequest":{"message":"bad","code":"SDRS.0201"}}"#,
             requestId: "req-5", code: "invalid_request", problemStatus: 400, providerCode: "SDRS.0201", retryable: false),
        Case(name: "nested itemNotFound", status: 400, body: #"{"itemNotFound":{"message":"gone","code":"SDRS.1902"}}"#,
             requestId: "req-6", code: "not_found", problemStatus: 404, providerCode: "SDRS.1902", retryable: false),
        Case(name: "wrong state", status: 400, body: #"{"error":{"message":"state","code":"SDRS.1002"}}"#,
             requestId: "req-7", code: "conflict", problemStatus: 409, providerCode: "SDRS.1002", retryable: false),
        Case(name: "5xx internal", status: 500, body: #"{"error":{"message":"boom","code":"SDRS.0013"}}"#,
             requestId: "req-8", code: "upstream_error", problemStatus: 502, providerCode: "SDRS.0013", retryable: true),
        Case(name: "unknown code maps by status", status: 503, body: #"{"error":{"message":"x","code":"SDRS.9999"}}"#,
             requestId: nil, code: "upstream_unavailable", problemStatus: 503, providerCode: "SDRS.9999", retryable: true),
        Case(name: "not JSON", status: 502, body: "<html>bad gateway</html>",
             requestId: "req-10", code: "upstream_error", problemStatus: 502, providerCode: nil, retryable: true),
        Case(name: "empty body 404", status: 404, body: "",
             requestId: nil, code: "not_found", problemStatus: 404, providerCode: nil, retryable: false),
        Case(name: "numeric code", status: 400, body: #"{"code":400,"message":"nope"}"#,
             requestId: nil, code: "invalid_request", problemStatus: 400, providerCode: "400", retryable: false),
    ]

    @Test(arguments: cases)
    func mapsEveryShape(_ c: Case) {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if let id = c.requestId { headers.append(("X-Request-Id", id)) }
        let response = UpstreamResponse(status: c.status, headers: headers, body: Array(c.body.utf8))
        let problem = HuaweiErrorParser.problem(for: response, table: HuaweiTables.shared.errors)
        #expect(problem.code == c.code)
        #expect(problem.status == c.problemStatus)
        #expect(problem.providerCode == c.providerCode)
        #expect(problem.providerRequestId == c.requestId)
        #expect(problem.retryable == c.retryable)
        #expect(problem.provider == "huawei-sdrs")
        let rendered = String(decoding: try! JSONEncoder().encode(problem), as: UTF8.self) + "\(problem)"
        #expect(!rendered.contains(Self.secret))
        #expect(!rendered.contains(Self.signature))
    }

    @Test func rateLimitedCarriesRetryAfter() {
        let response = UpstreamResponse(
            status: 429, headers: [("Retry-After", "7")], body: Array(#"{"error_code":"APIGW.0308","error_msg":"x"}"#.utf8))
        let problem = HuaweiErrorParser.problem(for: response, table: HuaweiTables.shared.errors)
        #expect(problem.retryAfter == 7)
        #expect(HuaweiErrorParser.provesNotExecuted(problem, table: HuaweiTables.shared.errors))
    }

    @Test func messageIsPassedThroughButBounded() {
        let long = String(repeating: "m", count: 2000)
        let response = UpstreamResponse(status: 400, body: Array(#"{"error":{"code":"SDRS.0201","message":"\#(long)"}}"#.utf8))
        let problem = HuaweiErrorParser.problem(for: response, table: HuaweiTables.shared.errors)
        #expect(problem.providerMessage?.count == 512)
    }
}
