import DRGWCore
import Foundation

/// A small client of the unified API, used by `drgw demo --round-trip`.
struct DemoClient {
    let base: String
    let key: String
    let transport: any HTTPTransport

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func call(_ method: String, _ path: String, body: [String: Any]? = nil, headers: [(String, String)] = []) async throws -> (Int, [String: Any]) {
        var all: [(name: String, value: String)] = [("Authorization", "Bearer \(key)"), ("Accept", "application/json")]
        var bytes: [UInt8] = []
        if let body {
            bytes = Array(try JSONSerialization.data(withJSONObject: body))
            all.append(("Content-Type", "application/json"))
        }
        all += headers.map { (name: $0.0, value: $0.1) }
        let response = try await transport.send(UpstreamRequest(method: method, url: base + path, headers: all, body: bytes, timeout: 90))
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        return (response.status, object)
    }

    func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw Failure(description: "drgw demo round trip failed: " + message()) }
    }

    /// Waits for an operation to end (Prefer: wait, then polling with a deadline).
    func finish(_ operation: [String: Any]) async throws -> [String: Any] {
        var current = operation
        let deadline = Date().addingTimeInterval(120)
        while (current["status"] as? String) == "running" {
            try expect(Date() < deadline, "operation \(current["id"] ?? "?") did not end in time")
            let id = current["id"] as? String ?? ""
            let (status, body) = try await call("GET", "/v1/operations/\(id)")
            try expect(status == 200, "GET operation answered \(status)")
            current = body
            if (current["status"] as? String) == "running" { try await Task.sleep(for: .milliseconds(500)) }
        }
        return current
    }

    func drillRoundTrip(account: String) async throws {
        let (status, groups) = try await call("GET", "/v1/accounts/\(account)/protection-groups")
        try expect(status == 200, "listing protection groups of \(account) answered \(status)")
        let items = groups["items"] as? [[String: Any]] ?? []
        guard let group = items.first(where: { ($0["status"] as? String) == "protected" }) ?? items.first,
            let groupId = group["id"] as? String
        else {
            throw Failure(description: "no protection group in \(account)")
        }
        emit("[\(account)] protection group \(groupId) (\(group["kind"] ?? "group"), \(group["status"] ?? "?"))")
        let name = "demo-drill-\(Int(Date().timeIntervalSince1970) % 100000)"
        let key = "demo-\(account)-\(UUID().uuidString)"
        let (createStatus, created) = try await call(
            "POST", "/v1/accounts/\(account)/drills", body: ["name": name, "protectionGroupId": groupId],
            headers: [("Idempotency-Key", key), ("Prefer", "wait=30")]
        )
        try expect(createStatus == 200 || createStatus == 202, "drill create answered \(createStatus): \(created["detail"] ?? "")")
        emit("[\(account)] POST drills → \(createStatus), operation \(created["id"] ?? "?")")
        let createOp = try await finish(created)
        try expect(createOp["status"] as? String == "succeeded", "drill create ended \(createOp["status"] ?? "?")")
        let resource = createOp["resource"] as? [String: Any]
        guard let drillId = resource?["id"] as? String else { throw Failure(description: "operation has no drill id") }
        let (replayStatus, _) = try await call(
            "POST", "/v1/accounts/\(account)/drills", body: ["name": name, "protectionGroupId": groupId],
            headers: [("Idempotency-Key", key)]
        )
        emit("[\(account)] same Idempotency-Key again → \(replayStatus) (replayed, no second drill)")
        let (getStatus, drill) = try await call("GET", "/v1/accounts/\(account)/drills/\(drillId)")
        try expect(getStatus == 200 && drill["status"] as? String == "ready", "drill \(drillId) is \(drill["status"] ?? getStatus)")
        emit("[\(account)] drill \(drillId) is ready (provider status \(drill["providerStatus"] ?? "?"))")
        let (deleteStatus, deleted) = try await call(
            "DELETE", "/v1/accounts/\(account)/drills/\(drillId)", headers: [("Idempotency-Key", key + "-delete"), ("Prefer", "wait=30")]
        )
        try expect(deleteStatus == 200 || deleteStatus == 202, "drill delete answered \(deleteStatus): \(deleted["detail"] ?? "")")
        let deleteOp = try await finish(deleted)
        try expect(deleteOp["status"] as? String == "succeeded", "drill delete ended \(deleteOp["status"] ?? "?")")
        let (afterStatus, after) = try await call("GET", "/v1/accounts/\(account)/drills/\(drillId)")
        try expect(afterStatus == 404 || after["status"] as? String == "deleted", "drill still exists after delete")
        emit("[\(account)] DELETE drill → operation succeeded; drill is gone (\(afterStatus == 404 ? "404" : "deleted"))")
    }
}
