import DRGWCore
import DRGWServer
import DRGWTesting
import Foundation
import Logging
import Testing

/// Which connections stay open after an answer: HTTP/1.1 ones unless the request said
/// `Connection: close`; HTTP/1.0 ones only with `Connection: keep-alive`.
@Suite("Connection persistence")
struct ConnectionPersistenceTests {
    static func with(_ body: @Sendable (Int) async throws -> Void) async throws {
        var config = GatewayConfig()
        config.accounts = [AccountSettings(id: "conn-acct", provider: "fake", region: "local-1", credentials: Credentials())]
        var logger = Logger(label: "conn")
        logger.logLevel = .critical
        try await SecurityGateway.with(config: config, plugins: [FakePlugin.self], logger: logger) { gateway in
            try await body(gateway.port)
        }
    }

    static func exchange(_ port: Int, _ text: String) async throws -> (answers: [SecurityRawHTTPClient.Answer], closed: Bool) {
        let answer = try await SecurityRawHTTPClient.exchange(port: port, request: Array(text.utf8), timeoutSeconds: 5)
        let answers = answer.raw.components(separatedBy: "HTTP/1.1 ").dropFirst()
            .map { SecurityRawHTTPClient.parse(Array(("HTTP/1.1 " + $0).utf8)) }
        return (answers, answer.closedByServer)
    }

    @Test("an HTTP/1.0 request without keep-alive is answered, then the connection closes", .timeLimit(.minutes(1)))
    func http10Closes() async throws {
        try await Self.with { port in
            // The second request on the same connection is never answered: the first closes it.
            let (answers, closed) = try await Self.exchange(
                port, "GET /healthz HTTP/1.0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(closed)
            #expect(answers.map(\.status) == [200])
            #expect(answers.first?.header("Connection")?.lowercased() == "close")
            #expect(answers.first?.body == #"{"status":"ok"}"#)
        }
    }

    @Test("HTTP/1.0 with keep-alive and plain HTTP/1.1 stay open until a request says close", .timeLimit(.minutes(1)))
    func persistentUntilClose() async throws {
        try await Self.with { port in
            let (answers, closed) = try await Self.exchange(
                port,
                "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                    + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(closed)
            #expect(answers.map(\.status) == [200, 200, 200])
            #expect(answers.prefix(2).allSatisfy { $0.header("Connection") == nil })
            #expect(answers.last?.header("Connection")?.lowercased() == "close")
        }
    }
}
