import DRGWCore
import Foundation
import Testing

@testable import DRGWClient

@Suite("Client: exit codes, tables, ages, URLs")
struct ClientCoreTests {
    @Test func exitCodesFollowTheContract() {
        #expect(ClientExitCode.forStatus(400) == 65)
        #expect(ClientExitCode.forStatus(409) == 65)
        #expect(ClientExitCode.forStatus(422) == 65)
        #expect(ClientExitCode.forStatus(404) == 66)
        #expect(ClientExitCode.forStatus(401) == 77)
        #expect(ClientExitCode.forStatus(403) == 77)
        #expect(ClientExitCode.forStatus(429) == 75)
        #expect(ClientExitCode.forStatus(500) == 69)
        #expect(ClientExitCode.forStatus(503) == 69)
    }

    @Test func tablesAlignColumnsAndKeepOneRowPerLine() {
        let table = TextTable(columns: ["ID", "NAME", "AGE"], rows: [["a", "long-name", "5s"], ["bbbb", "x\ny", "12m"]])
        #expect(
            table.render() == """
                ID    NAME       AGE
                a     long-name  5s
                bbbb  x y        12m

                """)
    }

    @Test func agesUseTheLargestWholeUnit() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        #expect(AgeText.since(Timestamp.rfc3339(now.addingTimeInterval(-45)), now: now) == "45s")
        #expect(AgeText.since(Timestamp.rfc3339(now.addingTimeInterval(-600)), now: now) == "10m")
        #expect(AgeText.since(Timestamp.rfc3339(now.addingTimeInterval(-5 * 3600)), now: now) == "5h")
        #expect(AgeText.since(Timestamp.rfc3339(now.addingTimeInterval(-3 * 86400)), now: now) == "3d")
        #expect(AgeText.since("yesterday", now: now) == "-")
        #expect(AgeText.since(Timestamp.rfc3339(now.addingTimeInterval(30)), now: now) == "0s")
    }

    @Test func theGatewayURLMustBeHTTP() throws {
        let transport = RefusingTransport()
        #expect(throws: ClientFailure.self) { try GatewayClient(baseURL: "ftp://host", apiKey: nil, transport: transport) }
        #expect(throws: ClientFailure.self) { try GatewayClient(baseURL: "localhost:8080", apiKey: nil, transport: transport) }
        let client = try GatewayClient(baseURL: "http://127.0.0.1:9/drgw//", apiKey: "k", transport: transport)
        #expect(client.baseURL == "http://127.0.0.1:9/drgw")
    }

    @Test func aNetworkFailureNamesTheURLAndNeverTheKey() async throws {
        let secret = "secret-key-\(UUID().uuidString)"
        let client = try GatewayClient(baseURL: "http://127.0.0.1:9", apiKey: secret, transport: RefusingTransport())
        do {
            _ = try await client.send("GET", "/v1/accounts")
            Issue.record("a refused connection did not fail")
        } catch {
            #expect(error.exitCode == 69)
            #expect(error.message.contains("http://127.0.0.1:9/v1/accounts"))
            #expect(!error.description.contains(secret))
        }
    }

    @Test func problemsKeepTheirCodeAndDetail() async throws {
        let problem = Problem(.notFound, detail: "Drill 'x' does not exist.")
        let body = try JSONEncoder().encode(problem)
        let client = try GatewayClient(
            baseURL: "http://127.0.0.1:9", apiKey: nil, transport: CannedTransport(response: UpstreamResponse(status: 404, body: Array(body))))
        do {
            _ = try await client.send("GET", "/v1/accounts/a/drills/x")
            Issue.record("a 404 did not fail")
        } catch {
            #expect(error.code == "not_found")
            #expect(error.message == "Drill 'x' does not exist.")
            #expect(error.exitCode == 66)
        }
    }

    @Test func theNextCursorComesFromTheLinkHeader() {
        #expect(ClientSession.nextCursor(#"</v1/reports?account=a&cursor=abc%3D%3D>; rel="next""#) == "abc==")
        #expect(ClientSession.nextCursor(#"</v1/reports?cursor=abc>; rel="prev""#) == nil)
    }

    @Test func anOperationPointsAtItsResourceUnlessItRemovedIt() {
        var operation = GatewayOperation(
            id: "op-1", account: "hw a", kind: "drill.create", status: .succeeded, createdAt: "", updatedAt: "",
            resource: ResourceReference(type: "drill", id: "d/1"))
        #expect(ClientSession.resourcePath(operation) == "/v1/accounts/hw%20a/drills/d%2F1")
        operation.kind = "drill.delete"
        #expect(ClientSession.resourcePath(operation) == nil)
    }
}

/// Every connection is refused.
struct RefusingTransport: HTTPTransport {
    func send(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        throw TransportError(.connectFailed)
    }
}

/// Always the same answer.
struct CannedTransport: HTTPTransport {
    let response: UpstreamResponse
    func send(_ request: UpstreamRequest) async throws -> UpstreamResponse { response }
}
