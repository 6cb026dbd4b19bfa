import DRGWCore
import DRGWServer
import DRGWTesting
import Foundation
import Logging
import Testing

/// Tenant isolation over a real socket: keys, accounts, operations and Idempotency-Keys of one
/// tenant never serve another; the per-tenant rate limit answers 429 with its headers.
@Suite("Security: tenants and limits")
struct SecurityTenancyTests {
    let keyA = "sec-key-a-" + UUID().uuidString
    let keyB = "sec-key-b-" + UUID().uuidString
    let shared = "sec-shared-" + UUID().uuidString.prefix(8).lowercased()
    let onlyB = "sec-b-" + UUID().uuidString.prefix(8).lowercased()

    /// Tenant A may use `shared`; tenant B may use `shared` and `onlyB`.
    func config(rate: Double = 10_000, burst: Double = 10_000, failedAuthBurst: Double = 10_000) -> GatewayConfig {
        var config = GatewayConfig()
        config.rateLimit.requestsPerSecond = rate
        config.rateLimit.burst = burst
        config.rateLimit.failedAuthPerSecond = failedAuthBurst == 10_000 ? 10_000 : 0.01
        config.rateLimit.failedAuthBurst = failedAuthBurst
        config.accounts = [
            AccountSettings(id: shared, provider: "fake", region: "local-1", credentials: Credentials()),
            AccountSettings(id: onlyB, provider: "fake", region: "local-1", credentials: Credentials()),
        ]
        config.tenants = [
            GatewayConfig.Tenant(name: "sec-a", apiKeySha256: [Digest.sha256Hex(keyA)], accounts: [shared]),
            GatewayConfig.Tenant(name: "sec-b", apiKeySha256: [Digest.sha256Hex(keyB)], accounts: [shared, onlyB]),
        ]
        return config
    }

    func provider(_ account: String) throws -> FakeProvider {
        let made = try FakePlugin.makeProvider(
            account: AccountSettings(id: account, provider: "fake", region: "local-1", credentials: Credentials()), transport: NoTransport())
        return try #require(made as? FakeProvider)
    }

    static func expectProblem(_ response: UpstreamResponse, _ status: Int, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == status, "\(response.wireText)", sourceLocation: sourceLocation)
        #expect(response.header("Content-Type") == "application/problem+json", sourceLocation: sourceLocation)
        #expect(response.jsonObject["code"] as? String == code, sourceLocation: sourceLocation)
        #expect(response.jsonObject["status"] as? Int == status, sourceLocation: sourceLocation)
    }

    static var quiet: Logger {
        var logger = Logger(label: "security-tests")
        logger.logLevel = .critical
        return logger
    }

    @Test func failedAuthenticationIsThrottledPerClientAddressWithoutLockingOutGoodKeys() async throws {
        let config = config(failedAuthBurst: 3)
        let keyA = keyA
        try await SecurityGateway.with(config: config, plugins: [FakePlugin.self], logger: Self.quiet) { gateway in
            for header in ["Bearer wrong-1", "Bearer wrong-2", "Basic abc"] {
                let response = try await gateway.send("GET", "/v1/accounts", key: nil, headers: [("Authorization", header)])
                Self.expectProblem(response, 401, "unauthenticated")
            }
            // The budget of failures is spent: the next guess, and one with no key at all, are refused unchecked.
            for headers in [[("Authorization", "Bearer wrong-4")], []] {
                let limited = try await gateway.send("GET", "/v1/accounts", key: nil, headers: headers)
                Self.expectProblem(limited, 429, "rate_limited")
                #expect(Int(limited.header("Retry-After") ?? "") ?? 0 >= 1)
                #expect(limited.header("RateLimit-Policy")?.hasPrefix("\"failed-auth\";q=3") == true)
            }
            // A known key still works from the same address: only failures draw on that budget.
            let ok = try await gateway.send("GET", "/v1/accounts", key: keyA)
            #expect(ok.status == 200, "\(ok.wireText)")
        }
    }

    @Test func everyV1RouteNeedsAKnownBearerKeyBeforeAnythingElse() async throws {
        let config = config()
        let account = shared
        let keyA = keyA
        let fake = try provider(shared)
        try await SecurityGateway.with(config: config, plugins: [FakePlugin.self], logger: Self.quiet) { gateway in
            let drill = #"{"name":"dr_drill_test","protectionGroupId":"pg-1"}"#
            let routes: [(String, String, String?)] = [
                ("GET", "/v1/accounts", nil),
                ("GET", "/v1/accounts/\(account)/protection-groups", nil),
                ("GET", "/v1/accounts/\(account)/protection-groups/pg-1", nil),
                ("POST", "/v1/accounts/\(account)/protection-groups/pg-1/failover", "{}"),
                ("GET", "/v1/accounts/\(account)/drills", nil),
                ("POST", "/v1/accounts/\(account)/drills", drill),
                ("DELETE", "/v1/accounts/\(account)/drills/d-1", nil),
                ("GET", "/v1/operations", nil),
                ("GET", "/v1/operations/op_0000", nil),
                // An account that does not exist is still 401 first: nothing is revealed without a key.
                ("GET", "/v1/accounts/no-such-account/drills", nil),
            ]
            let badHeaders: [String?] = [
                nil, "Bearer", "Bearer ", "Basic \(Data("a:\(keyA)".utf8).base64EncodedString())", "Token \(keyA)",
                "Bearer \(keyA)x", "Bearer \(keyA.dropLast())", "Bearer " + keyA.uppercased(),
            ]
            for (method, path, body) in routes {
                for header in badHeaders {
                    var headers: [(name: String, value: String)] = [("Idempotency-Key", "k-401")]
                    if let header { headers.append(("Authorization", header)) }
                    let response = try await gateway.send(method, path, key: nil, json: body, headers: headers)
                    Self.expectProblem(response, 401, "unauthenticated")
                    #expect(response.jsonObject["detail"].map { "\($0)".contains(keyA) } != true)
                }
            }
            #expect(fake.writes.isEmpty)
            // The right key works, so the 401s above are about the key.
            let ok = try await gateway.send("GET", "/v1/accounts", key: keyA)
            #expect(ok.status == 200)
        }
    }

    @Test func anotherTenantsAccountIsForbiddenForReadsAndWrites() async throws {
        let config = config()
        let (keyA, onlyB) = (keyA, onlyB)
        let fakeB = try provider(onlyB)
        try await SecurityGateway.with(config: config, plugins: [FakePlugin.self], logger: Self.quiet) { gateway in
            let calls: [(String, String, String?)] = [
                ("GET", "/v1/accounts/\(onlyB)/protection-groups", nil),
                ("GET", "/v1/accounts/\(onlyB)/protection-groups/pg-1", nil),
                ("DELETE", "/v1/accounts/\(onlyB)/protection-groups/pg-1", nil),
                ("POST", "/v1/accounts/\(onlyB)/protection-groups/pg-1/stop", "{}"),
                ("POST", "/v1/accounts/\(onlyB)/protection-groups/pg-1/switchover", #"{"priorityStation":"target"}"#),
                ("GET", "/v1/accounts/\(onlyB)/drills", nil),
                ("POST", "/v1/accounts/\(onlyB)/drills", #"{"name":"dr_drill_test","protectionGroupId":"pg-1"}"#),
                ("GET", "/v1/accounts/\(onlyB)/drills/d-1", nil),
                ("DELETE", "/v1/accounts/\(onlyB)/drills/d-1", nil),
            ]
            for (method, path, body) in calls {
                let response = try await gateway.send(method, path, key: keyA, json: body, headers: [("Idempotency-Key", "k-403")])
                Self.expectProblem(response, 403, "forbidden")
            }
            #expect(fakeB.writes.isEmpty)
            let list = try await gateway.send("GET", "/v1/accounts", key: keyA)
            let ids = (list.jsonObject["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(!ids.contains(onlyB))
            // Filtering operations or schedules by B's account is refused as every other use of it.
            Self.expectProblem(try await gateway.send("GET", "/v1/operations?account=\(onlyB)", key: keyA), 403, "forbidden")
            Self.expectProblem(try await gateway.send("GET", "/v1/schedules?account=\(onlyB)", key: keyA), 403, "forbidden")
        }
    }

    @Test func anotherTenantsOperationLooksExactlyLikeAMissingOne() async throws {
        let config = config()
        let (keyA, keyB, onlyB) = (keyA, keyB, onlyB)
        try await SecurityGateway.with(config: config, plugins: [FakePlugin.self], logger: Self.quiet) { gateway in
            let created = try await gateway.send(
                "POST", "/v1/accounts/\(onlyB)/drills", key: keyB, json: #"{"name":"dr_drill_test","protectionGroupId":"pg-1"}"#)
            #expect(created.status == 202)
            let id = try #require(created.jsonObject["id"] as? String)
            #expect(try await gateway.send("GET", "/v1/operations/\(id)", key: keyB).status == 200)

            let theirs = try await gateway.send("GET", "/v1/operations/\(id)", key: keyA)
            Self.expectProblem(theirs, 404, "not_found")
            let missing = try await gateway.send("GET", "/v1/operations/op_ffffffffffffffffffffffffffffffff", key: keyA)
            Self.expectProblem(missing, 404, "not_found")
            // Same shape and wording except the id itself: nothing tells "exists elsewhere" from "absent".
            let strip = { (r: UpstreamResponse, id: String) -> String in
                ((r.jsonObject["detail"] as? String) ?? "").replacingOccurrences(of: id, with: "<id>")
            }
            #expect(strip(theirs, id) == strip(missing, "op_ffffffffffffffffffffffffffffffff"))
            #expect(Set(theirs.jsonObject.keys) == Set(missing.jsonObject.keys))
            let listed = try await gateway.send("GET", "/v1/operations", key: keyA)
            let ids = (listed.jsonObject["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(!ids.contains(id))
        }
    }

    @Test func anIdempotencyKeyOfOneTenantNeverReplaysForAnotherOnTheSameAccount() async throws {
        let config = config()
        let (keyA, keyB, shared) = (keyA, keyB, shared)
        let fake = try provider(shared)
        try await SecurityGateway.with(config: config, plugins: [FakePlugin.self], logger: Self.quiet) { gateway in
            let path = "/v1/accounts/\(shared)/drills"
            let body = #"{"name":"dr_drill_test","protectionGroupId":"pg-1"}"#
            let key = [("Idempotency-Key", "same-key-both-tenants")]
            let a = try await gateway.send("POST", path, key: keyA, json: body, headers: key)
            #expect(a.status == 202)
            let aAgain = try await gateway.send("POST", path, key: keyA, json: body, headers: key)
            #expect(aAgain.header("Idempotent-Replayed") == "true")
            #expect(fake.writes == ["drill.create"])

            // Same account, method, path, body and key, other tenant: a fresh request, not A's answer.
            let b = try await gateway.send("POST", path, key: keyB, json: body, headers: key)
            #expect(b.status == 202)
            #expect(b.header("Idempotent-Replayed") == nil)
            let idA = try #require(a.jsonObject["id"] as? String)
            let idB = try #require(b.jsonObject["id"] as? String)
            #expect(idA != idB)
            #expect(fake.writes == ["drill.create", "drill.create"])
            // A different body under A's key is not 422 for B either (B's own record decides).
            let bOther = try await gateway.send(
                "POST", path, key: keyB, json: #"{"name":"other_name","protectionGroupId":"pg-1"}"#, headers: [("Idempotency-Key", "only-a-used-this")])
            #expect(bOther.status == 202)
            // And B cannot read A's operation.
            Self.expectProblem(try await gateway.send("GET", "/v1/operations/\(idA)", key: keyB), 404, "not_found")
        }
    }

    @Test func theTenantRateLimitAnswers429WithRetryAfterAndRateLimitHeaders() async throws {
        // Two requests of burst, then a refill of one request per 100 s: the third is refused.
        let config = config(rate: 0.01, burst: 2)
        let (keyA, keyB, shared) = (keyA, keyB, shared)
        try await SecurityGateway.with(config: config, plugins: [FakePlugin.self], logger: Self.quiet) { gateway in
            let first = try await gateway.send("GET", "/v1/accounts", key: keyA)
            #expect(first.status == 200)
            #expect(first.header("RateLimit-Policy") == "\"tenant\";q=2;w=200")
            #expect(first.header("RateLimit")?.hasPrefix("\"tenant\";r=1;") == true)
            let second = try await gateway.send("GET", "/v1/accounts/\(shared)/drills", key: keyA)
            #expect(second.status == 200)
            let third = try await gateway.send("POST", "/v1/accounts/\(shared)/drills", key: keyA, json: "{}")
            Self.expectProblem(third, 429, "rate_limited")
            #expect(third.jsonObject["retryable"] as? Bool == true)
            let retryAfter = try #require(third.header("Retry-After").flatMap { Int($0) })
            #expect(retryAfter >= 1 && retryAfter <= 100)
            #expect(third.header("RateLimit-Policy") == "\"tenant\";q=2;w=200")
            #expect(third.header("RateLimit") == "\"tenant\";r=0;t=\(retryAfter)")
            #expect(third.header("X-Request-Id") == third.jsonObject["requestId"] as? String)
            // Buckets are per tenant: B is not slowed by A.
            #expect(try await gateway.send("GET", "/v1/accounts", key: keyB).status == 200)
            // Unauthenticated routes are outside the limit.
            #expect(try await gateway.send("GET", "/healthz", key: nil).status == 200)
        }
    }
}
