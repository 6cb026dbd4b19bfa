import DRGWCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Idempotency-Key and operations")
struct IdempotencyTests {
    @Test func replayReturnsTheSameOperationWithoutAnUpstreamCall() async throws {
        let harness = GatewayHarness()
        try await harness.run { client in
            let path = "/v1/accounts/\(harness.accountA)/drills"
            let body = #"{"name":"dr_drill_test","protectionGroupId":"pg-1"}"#
            let headers = harness.headers(key: harness.keyA, json: true, extra: ["Idempotency-Key": "k-1"])
            let first = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
            #expect(first.status == .accepted)
            let id = try #require(first.json["id"] as? String)
            #expect(first.headers[.location] == "/v1/operations/\(id)")
            #expect(first.headers[.retryAfter] != nil)
            // Same body with other key order and spacing: same fingerprint.
            let again = try await client.execute(
                uri: path, method: .post, headers: headers,
                body: ByteBuffer(string: #"{ "protectionGroupId": "pg-1", "name": "dr_drill_test" }"#)
            )
            #expect(again.status == .accepted)
            #expect(again.json["id"] as? String == id)
            #expect(again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(harness.providerA.writes == ["drill.create"])

            let other = try await client.execute(
                uri: path, method: .post, headers: headers,
                body: ByteBuffer(string: #"{"name":"another","protectionGroupId":"pg-1"}"#)
            )
            #expect(other.status.code == 422)
            #expect(other.json["code"] as? String == "idempotency_key_reused")
            #expect(harness.providerA.writes == ["drill.create"])
        }
    }

    @Test func theWritePathTakesItsTimeFromTheInjectedClock() async throws {
        var setup = GatewayHarness()
        let fixed = Date(timeIntervalSince1970: 1_900_000_000)  // 2030-03-17T17:46:40Z
        setup.clock = { fixed }
        let harness = setup
        try await harness.run { client in
            let headers = harness.headers(key: harness.keyA, json: true, extra: ["Idempotency-Key": "clock-1"])
            let created = try await client.execute(
                uri: "/v1/accounts/\(harness.accountA)/drills", method: .post, headers: headers,
                body: ByteBuffer(string: #"{"name":"dr_clock","protectionGroupId":"pg-1"}"#))
            #expect(created.status == .accepted)
            #expect(created.json["createdAt"] as? String == "2030-03-17T17:46:40.000Z", "\(created.json)")
        }
    }

    @Test func concurrentRequestsWithOneKeyMakeOneUpstreamWrite() async throws {
        let harness = GatewayHarness()
        harness.providerA.delayWrites(.milliseconds(300))
        try await harness.run { client in
            let path = "/v1/accounts/\(harness.accountA)/drills"
            let body = #"{"name":"dr_drill_test","protectionGroupId":"pg-1"}"#
            let headers = harness.headers(key: harness.keyA, json: true, extra: ["Idempotency-Key": "same-key"])
            let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for _ in 0..<64 {
                    group.addTask {
                        let r = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
                        return (Int(r.status.code), r.json["code"] as? String)
                    }
                }
                var all: [(Int, String?)] = []
                for try await item in group { all.append(item) }
                return all
            }
            #expect(harness.providerA.writes == ["drill.create"])
            for (status, code) in statuses {
                #expect(status == 202 || (status == 409 && code == "idempotency_key_in_use"))
            }
            #expect(statuses.filter { $0.0 == 202 }.count >= 1)
        }
    }

    @Test func aKeyIsScopedToItsTenant() async throws {
        let harness = GatewayHarness()
        try await harness.run { client in
            let bodyA = #"{"name":"dr_drill_test","protectionGroupId":"pg-1"}"#
            let a = try await client.execute(
                uri: "/v1/accounts/\(harness.accountA)/drills", method: .post,
                headers: harness.headers(key: harness.keyA, json: true, extra: ["Idempotency-Key": "shared"]), body: ByteBuffer(string: bodyA)
            )
            let b = try await client.execute(
                uri: "/v1/accounts/\(harness.accountB)/drills", method: .post,
                headers: harness.headers(key: harness.keyB, json: true, extra: ["Idempotency-Key": "shared"]), body: ByteBuffer(string: bodyA)
            )
            #expect(a.status == .accepted && b.status == .accepted)
            #expect(a.json["id"] as? String != b.json["id"] as? String)
            #expect(b.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
            // A's operation is invisible to B.
            let id = try #require(a.json["id"] as? String)
            let r = try await client.execute(uri: "/v1/operations/\(id)", method: .get, headers: harness.headers(key: harness.keyB))
            #expect(r.status == .notFound)
            let mine = try await client.execute(uri: "/v1/operations/\(id)", method: .get, headers: harness.headers(key: harness.keyA))
            #expect(mine.status == .ok)
        }
    }

    @Test func preferWaitAnswersTheFinalOperation() async throws {
        let harness = GatewayHarness()
        try await harness.run { client in
            let headers = harness.headers(key: harness.keyA, json: true, extra: ["Prefer": "wait=10", "Idempotency-Key": "wait-1"])
            let body = ByteBuffer(string: #"{"name":"dr_drill_test","protectionGroupId":"pg-1"}"#)
            let r = try await client.execute(uri: "/v1/accounts/\(harness.accountA)/drills", method: .post, headers: headers, body: body)
            #expect(r.status == .ok)
            #expect(r.json["status"] as? String == "succeeded")
            #expect(r.headers[HTTPField.Name("Preference-Applied")!] == "wait=10")
            // A replay answers what the first request got: the 200 with the final operation, not the 202.
            let replay = try await client.execute(uri: "/v1/accounts/\(harness.accountA)/drills", method: .post, headers: headers, body: body)
            #expect(replay.status == .ok)
            #expect(replay.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(replay.json["id"] as? String == r.json["id"] as? String)
            #expect(replay.json["status"] as? String == "succeeded")
            let list = try await client.execute(
                uri: "/v1/operations?status=succeeded&account=\(harness.accountA)", method: .get, headers: harness.headers(key: harness.keyA)
            )
            #expect((list.json["items"] as? [Any])?.count == 1)
        }
    }

    @Test func aConflictIsStoredAndReplayed() async throws {
        let harness = GatewayHarness()
        harness.providerA.setGroupStatus("pg-1", .stopping)
        try await harness.run { client in
            let headers = harness.headers(key: harness.keyA, json: true, extra: ["Idempotency-Key": "conflict-1"])
            let body = ByteBuffer(string: #"{"name":"dr_drill_test","protectionGroupId":"pg-1"}"#)
            let first = try await client.execute(uri: "/v1/accounts/\(harness.accountA)/drills", method: .post, headers: headers, body: body)
            #expect(first.status == .conflict)
            #expect(first.json["code"] as? String == "conflict")
            let second = try await client.execute(uri: "/v1/accounts/\(harness.accountA)/drills", method: .post, headers: headers, body: body)
            #expect(second.status == .conflict)
            #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(harness.providerA.writes.isEmpty)
        }
    }
}
