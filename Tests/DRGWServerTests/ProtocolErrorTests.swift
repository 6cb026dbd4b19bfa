import DRGWCore
@testable import DRGWServer
import DRGWTesting
import Foundation
import Logging
import NIOHTTP1
import Testing

/// Bytes NIO's HTTP/1 parser refuses never reach a route; the gateway still answers them with
/// problem+json (never Hummingbird's bare 400) and closes the connection.
@Suite("HTTP parse errors answer problem+json")
struct ProtocolErrorTests {
    static let bearer = "proto-" + UUID().uuidString

    static func config() -> GatewayConfig {
        var config = GatewayConfig()
        config.accounts = [AccountSettings(id: "proto-acct", provider: "fake", region: "local-1", credentials: Credentials())]
        config.tenants = [GatewayConfig.Tenant(name: "proto", apiKeySha256: [Digest.sha256Hex(bearer)], accounts: ["proto-acct"])]
        return config
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "proto")
        logger.logLevel = .critical
        return logger
    }

    /// Every answer in `raw`, split on the status lines (bodies here never contain "HTTP/1.1 ").
    static func answers(_ raw: String) -> [SecurityRawHTTPClient.Answer] {
        raw.components(separatedBy: "HTTP/1.1 ").dropFirst().map { SecurityRawHTTPClient.parse(Array(("HTTP/1.1 " + $0).utf8)) }
    }

    static func problemJSON(_ answer: SecurityRawHTTPClient.Answer) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))) as? [String: Any]
    }

    @Test(
        "malformed requests get 400 invalid_request as problem+json",
        .timeLimit(.minutes(1)),
        arguments: [
            "NOT HTTP AT ALL\r\n\r\n",
            "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n",
            "POST /v1/accounts/proto-acct/drills HTTP/1.1\r\nHost: x\r\nContent-Length: twelve\r\n\r\n",
            "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        ]
    )
    func malformed(request: String) async throws {
        try await SecurityGateway.with(config: Self.config(), plugins: [FakePlugin.self], logger: Self.quietLogger) { gateway in
            let answer = try await SecurityRawHTTPClient.exchange(port: gateway.port, request: Array(request.utf8))
            #expect(answer.status == 400, "\(answer.raw.prefix(300))")
            #expect(answer.header("Content-Type") == "application/problem+json")
            #expect(answer.header("Connection") == "close")
            // Date and Server as on every routed answer.
            #expect(answer.header("Server") == "drgw")
            let date = try #require(answer.header("Date"))
            #expect(date.hasSuffix(" GMT") && date.utf8.count == 29, "\(date)")
            let days = [Date(), Date(timeIntervalSinceNow: -60)].map { Timestamp.httpDate($0).dropFirst(5).prefix(11) }
            #expect(days.contains { date.contains($0) }, "today's date: \(date)")
            let problem = try #require(Self.problemJSON(answer))
            #expect(problem["code"] as? String == "invalid_request")
            #expect(problem["status"] as? Int == 400)
            #expect(problem["retryable"] as? Bool == false)
            // The id in the body is the one in the header, as for every other answer.
            let requestId = try #require(answer.header("X-Request-Id"))
            #expect(problem["requestId"] as? String == requestId)
            #expect(answer.header("Content-Length") == String(answer.body.utf8.count))
            // The gateway is still serving.
            let after = try await gateway.send("GET", "/v1/accounts", key: Self.bearer)
            #expect(after.status == 200)
        }
    }

    @Test("a parse error after a good pipelined request is answered after that request's answer", .timeLimit(.minutes(1)))
    func pipelinedParseErrorWaitsForTheEarlierAnswer() async throws {
        try await SecurityGateway.with(config: Self.config(), plugins: [FakePlugin.self], logger: Self.quietLogger) { gateway in
            let bytes = "GET /v1/accounts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(Self.bearer)\r\n\r\n"
                + "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n"
            let answer = try await SecurityRawHTTPClient.exchange(port: gateway.port, request: Array(bytes.utf8))
            let answers = Self.answers(answer.raw)
            #expect(answers.map(\.status) == [200, 400], "\(answer.raw.prefix(600))")
            #expect(answers.first?.header("Content-Type") == "application/json")
            #expect(answers.last?.header("Content-Type") == "application/problem+json")
            #expect(answers.last.flatMap(Self.problemJSON)?["code"] as? String == "invalid_request")
        }
    }

    @Test("a chunked body the parser refuses is answered 400 by the route, then the connection closes", .timeLimit(.minutes(1)))
    func brokenChunkedBody() async throws {
        try await SecurityGateway.with(config: Self.config(), plugins: [FakePlugin.self], logger: Self.quietLogger) { gateway in
            let post = "POST /v1/accounts/proto-acct/drills HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(Self.bearer)\r\n"
                + "Content-Type: application/json\r\nIdempotency-Key: chunk-1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\n{\"a\":\r\nzz\r\n1\r\n\r\n"
            // Before, this was answered 413 payload_too_large; the body is malformed, not large.
            let answer = try await SecurityRawHTTPClient.exchange(port: gateway.port, request: Array(post.utf8), timeoutSeconds: 5)
            let answers = Self.answers(answer.raw)
            #expect(answers.map(\.status) == [400], "\(answer.raw.prefix(600))")
            #expect(answers.first?.header("Content-Type") == "application/problem+json")
            #expect(answers.first.flatMap(Self.problemJSON)?["code"] as? String == "invalid_request")
            #expect((answers.first.flatMap(Self.problemJSON)?["detail"] as? String)?.contains("chunk size") == true)
            // A route that never reads its body: its own answer, then nothing more (no second 400).
            let get = "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
            let healthz = Self.answers(
                try await SecurityRawHTTPClient.exchange(port: gateway.port, request: Array(get.utf8), timeoutSeconds: 5).raw)
            #expect(healthz.count == 1)
            #expect(healthz.first.map { $0.status == 200 || $0.status == 400 } == true)
        }
    }

    @Test("which parser errors map to which problem")
    func mapping() {
        #expect(ProtocolErrorHandler.problem(for: HTTPParserError.headerOverflow)?.status == 431)
        #expect(ProtocolErrorHandler.problem(for: HTTPParserError.headerOverflow)?.code == "headers_too_large")
        #expect(ProtocolErrorHandler.problem(for: HTTPParserError.invalidContentLength)?.code == "invalid_request")
        #expect(ProtocolErrorHandler.problem(for: HTTPParserError.invalidContentLength)?.detail.contains("content-length") == true)
        #expect(ProtocolErrorHandler.problem(for: CancellationError()) == nil)
    }
}
