import DRGWCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("HTTP front: problems, auth, limits")
struct ProblemResponseTests {
    let harness = GatewayHarness()

    func expectProblem(_ response: TestResponse, status: Int, code: String) {
        #expect(Int(response.status.code) == status)
        #expect(response.headers[.contentType] == "application/problem+json")
        let body = response.json
        #expect(body["code"] as? String == code)
        #expect(body["status"] as? Int == status)
        #expect((body["requestId"] as? String)?.isEmpty == false)
        #expect(response.headers[HTTPField.Name("X-Request-Id")!] == body["requestId"] as? String)
    }

    @Test func healthAndRequestId() async throws {
        try await harness.run { client in
            try await client.execute(uri: "/healthz", method: .get, headers: harness.headers(key: nil, extra: ["X-Request-Id": "abc-123"])) { response in
                #expect(response.status == .ok)
                #expect(response.json["status"] as? String == "ok")
                #expect(response.headers[HTTPField.Name("X-Request-Id")!] == "abc-123")
            }
            // An insane request id is replaced.
            try await client.execute(uri: "/healthz", method: .get, headers: harness.headers(key: nil, extra: ["X-Request-Id": "bad id\u{7F}"])) { response in
                #expect(response.headers[HTTPField.Name("X-Request-Id")!] != "bad id\u{7F}")
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func unauthenticated() async throws {
        try await harness.run { client in
            let r1 = try await client.execute(uri: "/v1/accounts", method: .get)
            expectProblem(r1, status: 401, code: "unauthenticated")
            let r2 = try await client.execute(uri: "/v1/accounts", method: .get, headers: harness.headers(key: "wrong-key"))
            expectProblem(r2, status: 401, code: "unauthenticated")
        }
    }

    @Test func unknownRouteAndWrongMethod() async throws {
        try await harness.run { client in
            let r1 = try await client.execute(uri: "/v2/nothing", method: .get)
            expectProblem(r1, status: 404, code: "not_found")
            let r2 = try await client.execute(uri: "/healthz", method: .post)
            expectProblem(r2, status: 405, code: "method_not_allowed")
            #expect(r2.headers[.allow] == "GET, HEAD")
            let r3 = try await client.execute(
                uri: "/v1/accounts/\(harness.accountA)/drills/d-1", method: .put, headers: harness.headers(key: harness.keyA)
            )
            expectProblem(r3, status: 405, code: "method_not_allowed")
            #expect(r3.headers[.allow] == "GET, DELETE")
        }
    }

    @Test func malformedJSONTooLargeAndWrongMediaType() async throws {
        try await harness.run { client in
            let path = "/v1/accounts/\(harness.accountA)/drills"
            let r1 = try await client.execute(uri: path, method: .post, headers: harness.headers(key: harness.keyA, json: true), body: ByteBuffer(string: "{\"name\": "))
            expectProblem(r1, status: 400, code: "invalid_request")
            let big = "{\"name\":\"" + String(repeating: "a", count: 70 * 1024) + "\"}"
            let r2 = try await client.execute(uri: path, method: .post, headers: harness.headers(key: harness.keyA, json: true), body: ByteBuffer(string: big))
            expectProblem(r2, status: 413, code: "payload_too_large")
            var textHeaders = harness.headers(key: harness.keyA)
            textHeaders[.contentType] = "text/plain"
            let r3 = try await client.execute(uri: path, method: .post, headers: textHeaders, body: ByteBuffer(string: "name=x"))
            expectProblem(r3, status: 415, code: "unsupported_media_type")
            #expect(harness.providerA.writes.isEmpty)
        }
    }

    @Test func validationListsEveryField() async throws {
        try await harness.run { client in
            let path = "/v1/accounts/\(harness.accountA)/drills"
            let body = #"{"name":"bad name!","protectionGroupId":"../etc","extra":1}"#
            let response = try await client.execute(uri: path, method: .post, headers: harness.headers(key: harness.keyA, json: true), body: ByteBuffer(string: body))
            expectProblem(response, status: 400, code: "invalid_request")
            let fields = (response.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
            #expect(Set(fields) == ["name", "protectionGroupId", "extra"])
            let r2 = try await client.execute(uri: "/v1/accounts/\(harness.accountA)/drills/a%2Fb", method: .get, headers: harness.headers(key: harness.keyA))
            #expect(r2.status.code == 400 || r2.status.code == 404)
            #expect(harness.providerA.writes.isEmpty)
        }
    }

    @Test func tenantsSeeOnlyTheirAccounts() async throws {
        try await harness.run { client in
            let r1 = try await client.execute(uri: "/v1/accounts", method: .get, headers: harness.headers(key: harness.keyA))
            let ids = (r1.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids == [harness.accountA])
            let r2 = try await client.execute(uri: "/v1/accounts/\(harness.accountB)/drills", method: .get, headers: harness.headers(key: harness.keyA))
            expectProblem(r2, status: 403, code: "forbidden")
            let r3 = try await client.execute(uri: "/v1/accounts/nope/drills", method: .get, headers: harness.headers(key: harness.keyA))
            expectProblem(r3, status: 404, code: "not_found")
        }
    }

    @Test func metricsCountRequests() async throws {
        try await harness.run { client in
            _ = try await client.execute(uri: "/healthz", method: .get)
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(response.status == .ok)
                #expect(text.contains("drgw_http_requests_total"))
                #expect(text.contains("route=\"/healthz\""))
            }
        }
    }

    @Test func openAPIIsServed() async throws {
        try await harness.run { client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.json["openapi"] as? String == "3.1.0")
                let paths = response.json["paths"] as? [String: Any] ?? [:]
                #expect(paths["/v1/accounts/{account}/drills"] != nil)
            }
        }
    }
}
