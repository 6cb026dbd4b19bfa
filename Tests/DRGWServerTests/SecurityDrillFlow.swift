import DRGWCore
import Foundation
import Testing

/// A full drill round trip through the gateway on one account (list, read, create with
/// Idempotency-Key and `Prefer: wait`, replay, read, list, delete, plus an upstream 404),
/// keeping every answer the client received.
struct SecurityDrillFlow {
    typealias Send = @Sendable (_ method: String, _ path: String, _ json: String?, _ headers: [(name: String, value: String)]) async throws
        -> UpstreamResponse

    let send: Send
    var answers: [UpstreamResponse] = []

    init(send: @escaping Send) {
        self.send = send
    }

    private mutating func call(
        _ method: String, _ path: String, json: String? = nil, headers: [(name: String, value: String)] = []
    ) async throws -> UpstreamResponse {
        let response = try await send(method, path, json, headers)
        answers.append(response)
        return response
    }

    /// Runs the round trip; returns how many steps answered as expected (for the caller's sanity checks).
    mutating func run(account: String, group: String, tag: String) async throws {
        let base = "/v1/accounts/\(account)"
        #expect(try await call("GET", "/v1/accounts").status == 200)
        #expect(try await call("GET", base + "/protection-groups").status == 200)
        #expect(try await call("GET", base + "/protection-groups/\(group)").status == 200)
        let key = [(name: "Idempotency-Key", value: "sec-\(tag)"), (name: "Prefer", value: "wait=30")]
        let body = #"{"name":"sec_drill_\#(tag)","protectionGroupId":"\#(group)"}"#
        let created = try await call("POST", base + "/drills", json: body, headers: key)
        #expect(created.status == 200, "\(account): \(created.wireText)")
        #expect(created.jsonObject["status"] as? String == "succeeded", "\(account): \(created.wireText)")
        let replay = try await call("POST", base + "/drills", json: body, headers: key)
        #expect(replay.header("Idempotent-Replayed") == "true")
        let drillId = try #require((created.jsonObject["resource"] as? [String: Any])?["id"] as? String)
        if let operation = created.jsonObject["id"] as? String {
            #expect(try await call("GET", "/v1/operations/\(operation)").status == 200)
        }
        #expect(try await call("GET", base + "/drills?protectionGroupId=\(group)").status == 200)
        #expect(try await call("GET", base + "/drills/\(drillId)").status == 200)
        let deleted = try await call("DELETE", base + "/drills/\(drillId)", headers: [(name: "Idempotency-Key", value: "sec-del-\(tag)"), (name: "Prefer", value: "wait=30")])
        #expect(deleted.status == 200 || deleted.status == 202, "\(account): \(deleted.wireText)")
        // An upstream error answer travels back as a problem too.
        let missing = try await call("GET", base + "/protection-groups/no-such-group-\(tag)")
        #expect(missing.status >= 400 && missing.status < 500, "\(account): \(missing.wireText)")
        _ = try await call("GET", "/v1/operations")
    }
}
