import AlibabaEBS
@testable import AlibabaEBSSimulation
import DRGWCore
import DRGWTransport
import Foundation
import Testing

@Suite(.serialized) struct SimulatorWireTests {
    static let v1 = AlibabaV1Signer(accessKeyId: SimulatorHarness.accessKey, accessKeySecret: SimulatorHarness.secretKey)

    static func json(_ response: UpstreamResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    @Test func v1AcceptsGetQueriesAndFormBodies() async throws {
        try await SimulatorHarness.run { h in
            let get = Self.v1.sign(
                method: "GET", action: "DescribeDiskReplicaGroups", version: "2021-07-30", parameters: [("RegionId", "cn-shanghai")],
                date: Date(), nonce: UUID().uuidString)
            let answer = try await h.transport.send(UpstreamRequest(method: "GET", url: h.endpoint + "/?" + AlibabaV1Signer.canonicalizedQuery(get)))
            #expect(answer.status == 200)
            #expect((Self.json(answer)["ReplicaGroups"] as? [[String: Any]])?.first?["ReplicaGroupId"] as? String == AlibabaEBSSimulator.seedGroupId)

            // Business parameters in a form body, common ones in the query; the signature covers both.
            let business: [(name: String, value: String)] = [("RegionId", "cn-shanghai"), ("PairIds", AlibabaEBSSimulator.seedPairId)]
            let signed = Self.v1.sign(
                method: "POST", action: "DescribeDiskReplicaPairs", version: "2021-07-30", parameters: business, date: Date(),
                nonce: UUID().uuidString)
            let common = signed.filter { name, _ in !business.contains { $0.name == name } }
            let form = AlibabaV1Signer.canonicalizedQuery(business)
            let post = try await h.transport.send(UpstreamRequest(
                method: "POST", url: h.endpoint + "/?" + AlibabaV1Signer.canonicalizedQuery(common),
                headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(form.utf8)))
            #expect(post.status == 200)
            #expect((Self.json(post)["ReplicaPairs"] as? [[String: Any]])?.count == 1)

            // The error envelope of the POP gateway.
            var tampered = signed
            tampered[0].value = "cn-hangzhou"
            let refused = try await h.transport.send(UpstreamRequest(method: "POST", url: h.endpoint + "/?" + AlibabaV1Signer.canonicalizedQuery(tampered)))
            let body = Self.json(refused)
            #expect(refused.status == 400 && body["Code"] as? String == "SignatureDoesNotMatch")
            #expect(body["RequestId"] is String && body["HostId"] is String && body["Recommend"] is String && body["Message"] is String)
            #expect(h.simulator.requestLog.all.map(\.action) == ["DescribeDiskReplicaGroups", "DescribeDiskReplicaPairs", "DescribeDiskReplicaPairs"])
            #expect(h.simulator.requestLog.all.allSatisfy { ($0.remotePort ?? 0) > 0 })
        }
    }

    @Test func v3AcceptsAFormBodyCoveredByThePayloadHash() async throws {
        try await SimulatorHarness.run { h in
            let signer = AlibabaV3Signer(accessKeyId: SimulatorHarness.accessKey, accessKeySecret: SimulatorHarness.secretKey)
            let form = Array("RegionId=cn-shanghai&PairIds=\(AlibabaEBSSimulator.seedPairId)".utf8)
            func send(body: [UInt8], signedBody: [UInt8]) async throws -> UpstreamResponse {
                var headers = signer.sign(
                    method: "POST", host: "127.0.0.1:\(h.port)", action: "DescribeDiskReplicaPairs", version: "2021-07-30", query: [],
                    body: signedBody, contentType: "application/x-www-form-urlencoded", date: Date(), nonce: UUID().uuidString)
                headers.removeAll { $0.name == "content-type" }
                headers.append(("Content-Type", "application/x-www-form-urlencoded"))
                return try await h.transport.send(UpstreamRequest(method: "POST", url: h.endpoint + "/", headers: headers, body: body))
            }
            let ok = try await send(body: form, signedBody: form)
            #expect(ok.status == 200 && (Self.json(ok)["ReplicaPairs"] as? [[String: Any]])?.count == 1)
            let other = try await send(body: Array("RegionId=cn-shanghai".utf8), signedBody: form)
            #expect(other.status == 400 && Self.json(other)["Code"] as? String == "SignatureDoesNotMatch")
        }
    }

    @Test func traceparentAndSecurityTokenTravelUpstream() async throws {
        try await SimulatorHarness.run { h in
            var account = h.account()
            account.credentials.securityToken = "STS+token/=="
            let provider = try AlibabaEBSProvider(account: account, transport: h.transport)
            let trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            _ = try await provider.protectionGroup(id: AlibabaEBSSimulator.seedGroupId, context: CallContext(requestId: "t", traceparent: trace))
            let seen = try #require(h.simulator.requestLog.all.first)
            #expect(seen.header("traceparent") == trace)
            #expect(seen.header("x-acs-security-token") == "STS+token/==")

            account.signature = "v1"
            let v1 = try AlibabaEBSProvider(account: account, transport: h.transport)
            _ = try await v1.protectionGroup(id: AlibabaEBSSimulator.seedGroupId, context: CallContext(requestId: "t"))
            #expect(h.simulator.requestLog.all.last?.parameter("SecurityToken") == "STS+token/==")
        }
    }

    /// With a seeded fault rate the adapter still runs drills through, and retries never make a second drill.
    @Test func faultRateSoak() async throws {
        try await SimulatorHarness.run(jobSeconds: 0.2, faultRate: 0.2, seed: 42) { h in
            let provider = try h.provider(maxAttempts: 10)
            /// Calls `body` until it does not fail with a retryable problem (what a gateway client would do).
            func persist<T>(_ body: () async throws -> T) async throws -> T {
                for _ in 0..<8 {
                    do { return try await body() } catch let problem as Problem where problem.retryable {}
                }
                return try await body()
            }
            for round in 0..<3 {
                let context = CallContext(requestId: "soak", clientToken: "soak-token-\(round)")
                let created = try await persist {
                    try await provider.createDrill(CreateDrillInput(name: "soak", protectionGroupId: AlibabaEBSSimulator.seedPairId), context: context)
                }
                #expect(try await persist { try await finish(created, with: provider) } == .succeeded(resourceId: created.resource.id))
                let drills = try await persist {
                    try await provider.listDrills(protectionGroupId: AlibabaEBSSimulator.seedPairId, cursor: nil, limit: 10, context: context)
                }
                #expect(drills.items.map(\.id) == [created.resource.id])
                let deleted = try await persist { try await provider.deleteDrill(id: created.resource.id!, context: context) }
                #expect(try await persist { try await finish(deleted, with: provider) } == .succeeded(resourceId: created.resource.id))
            }
            let faults = h.simulator.requestLog.all.filter { $0.status != 200 }
            #expect(!faults.isEmpty)
        }
    }
}
