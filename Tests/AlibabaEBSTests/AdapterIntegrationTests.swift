import AlibabaEBS
@testable import AlibabaEBSSimulation
import DRGWCore
import DRGWTesting
import DRGWTransport
import Foundation
import Testing

extension RecordedRequest {
    func parameter(_ name: String) -> String? {
        PercentEncoding.parseQuery(query).first { $0.name == name }?.value
    }

    /// `x-acs-signature-nonce` (V3) or `SignatureNonce` (V1).
    var nonce: String? { header("x-acs-signature-nonce") ?? parameter("SignatureNonce") }
}

@Suite(.serialized) struct AdapterIntegrationTests {
    static let context = CallContext(requestId: "req-test")

    @Test func listsGroupsAndStandalonePairsAcrossPages() async throws {
        try await SimulatorHarness.run { h in
            let provider = try h.provider()
            var all: [ProtectionGroup] = []
            var cursor: String?
            repeat {
                let page = try await provider.listProtectionGroups(cursor: cursor, limit: 1, context: Self.context)
                #expect(page.items.count <= 1)
                all += page.items
                cursor = page.nextCursor
            } while cursor != nil
            #expect(all.map(\.id).sorted() == [AlibabaEBSSimulator.seedGroupId, AlibabaEBSSimulator.seedPairId].sorted())
            #expect(all.first { $0.id == AlibabaEBSSimulator.seedGroupId }?.kind == .group)
            #expect(all.first { $0.id == AlibabaEBSSimulator.seedPairId }?.kind == .pair)
            #expect(all.allSatisfy { $0.status == .protected && $0.providerStatus == "normal" })
            #expect(h.requests("DescribeDiskReplicaPairs").contains { $0.parameter("NextToken") != nil })

            let pair = try await provider.protectionGroup(id: AlibabaEBSSimulator.seedPairId, context: Self.context)
            #expect(pair.destinationRegionId == "cn-hangzhou" && pair.sourceRegionId == "cn-shanghai")
            let missing = await problem { _ = try await provider.protectionGroup(id: "pg-doesnotexist", context: Self.context) }
            #expect(missing?.code == "not_found")
            let bad = await problem { _ = try await provider.listProtectionGroups(cursor: "garbage", limit: 5, context: Self.context) }
            #expect(bad?.code == "invalid_request")
        }
    }

    @Test(arguments: [("v3", ProtectionGroupKind.pair), ("v1", ProtectionGroupKind.group), ("v3", .group), ("v1", .pair)])
    func drillLifecycle(signature: String, kind: ProtectionGroupKind) async throws {
        // 2 s jobs: the read right after the create must still find the drill being created on a busy machine.
        try await SimulatorHarness.run(jobSeconds: 2) { h in
            let provider = try h.provider(signature: signature)
            let owner = kind == .pair ? AlibabaEBSSimulator.seedPairId : AlibabaEBSSimulator.seedGroupId
            let startAction = kind == .pair ? "StartPairDrill" : "StartReplicaGroupDrill"
            let job = try await provider.createDrill(CreateDrillInput(name: "dr_drill_test", protectionGroupId: owner), context: Self.context)
            #expect(job.kind == "drill.create")
            let drillId = try #require(job.resource.id)
            #expect(drillId.hasPrefix("adrill_"))
            #expect(try await provider.drill(id: drillId, context: Self.context).status == .creating)
            #expect(try await finish(job, with: provider) == .succeeded(resourceId: drillId))
            let ready = try await provider.drill(id: drillId, context: Self.context)
            #expect(ready.status == .ready && ready.providerStatus == "executed" && ready.protectionGroupId == owner)
            #expect(try await provider.listDrills(protectionGroupId: owner, cursor: nil, limit: 10, context: Self.context).items.map(\.id) == [drillId])
            #expect(try await provider.listDrills(protectionGroupId: nil, cursor: nil, limit: 10, context: Self.context).items.map(\.id) == [drillId])

            let start = try #require(h.requests(startAction).first)
            #expect(start.parameter("RegionId") == "cn-hangzhou")  // the secondary region
            #expect(start.parameter("ClientToken")?.isEmpty == false)
            #expect(signature == "v3" ? start.header("authorization")?.hasPrefix("ACS3-HMAC-SHA256 ") == true : start.parameter("Signature") != nil)

            let delete = try await provider.deleteDrill(id: drillId, context: Self.context)
            #expect(delete.kind == "drill.delete")
            #expect(try await finish(delete, with: provider) == .succeeded(resourceId: drillId))
            let gone = await problem { _ = try await provider.drill(id: drillId, context: Self.context) }
            #expect(gone?.code == "not_found")
            let clear = try #require(h.requests(kind == .pair ? "ClearPairDrill" : "ClearReplicaGroupDrill").first)
            #expect(clear.parameter("ClientToken") == nil)
            #expect(h.writes.allSatisfy { $0.status == 200 })
        }
    }

    @Test(arguments: [("v3", AlibabaEBSSimulator.seedPairId), ("v1", AlibabaEBSSimulator.seedGroupId)])
    func actionsMoveThroughTheStateMachine(signature: String, id: String) async throws {
        try await SimulatorHarness.run { h in
            let provider = try h.provider(signature: signature)
            let steps: [(ProtectionGroupAction, ProtectionGroupStatus, String)] = [
                (.stop, .available, "stopped"), (.start, .protected, "normal"), (.failover, .failedOver, "failovered"),
                (.reprotect, .available, "stopped"), (.start, .protected, "normal"),
            ]
            for (action, unified, upstream) in steps {
                let job = try await provider.perform(action, onProtectionGroup: id, input: ActionInput(), context: Self.context)
                #expect(job.kind == action.operationKind)
                #expect(try await finish(job, with: provider) == .succeeded(resourceId: id), "\(action)")
                let group = try await provider.protectionGroup(id: id, context: Self.context)
                #expect(group.status == unified && group.providerStatus == upstream, "\(action)")
            }
            let suffix = id.hasPrefix("pg-") ? "DiskReplicaGroup" : "DiskReplicaPair"
            #expect(try #require(h.requests("Failover\(suffix)").first).parameter("RegionId") == "cn-hangzhou")
            #expect(try #require(h.requests("Reprotect\(suffix)").first).parameter("RegionId") == "cn-hangzhou")
            // After reverse replication the former secondary is the source.
            #expect(try await provider.protectionGroup(id: id, context: Self.context).sourceRegionId == "cn-hangzhou")

            let wrong = await problem {
                _ = try await provider.perform(.reprotect, onProtectionGroup: id, input: ActionInput(), context: Self.context)
            }
            #expect(wrong?.code == "conflict" && wrong?.providerCode == "OperationDenied.InvalidStatus")
        }
    }

    @Test func switchoverBadInputAndWrongStatesMakeNoUpstreamWrite() async throws {
        try await SimulatorHarness.run(jobSeconds: 30) { h in
            let provider = try h.provider()
            let switchover = await problem {
                _ = try await provider.perform(.switchover, onProtectionGroup: AlibabaEBSSimulator.seedPairId, input: ActionInput(priorityStation: "target"), context: Self.context)
            }
            #expect(switchover?.code == "not_supported" && switchover?.status == 501)
            let badName = await problem {
                _ = try await provider.createDrill(CreateDrillInput(name: "bad name!", protectionGroupId: AlibabaEBSSimulator.seedPairId), context: Self.context)
            }
            #expect(badName?.code == "invalid_request" && badName?.errors?.first?.field == "name")
            let badId = await problem {
                _ = try await provider.createDrill(CreateDrillInput(name: "ok", protectionGroupId: "../x"), context: Self.context)
            }
            #expect(badId?.errors?.contains { $0.field == "protectionGroupId" } == true)
            let badGroup = await problem {
                var input = CreateProtectionGroupInput(name: "1x", description: nil)
                input.rpo = 60
                _ = try await provider.createProtectionGroup(input, context: Self.context)
            }
            let fields = Set(badGroup?.errors?.map(\.field) ?? [])
            #expect(fields.isSuperset(of: ["name", "rpo", "sourceZoneId", "destinationRegionId", "destinationZoneId"]))
            #expect(h.simulator.requestLog.all.isEmpty)

            // Stopping takes 30 s here: a drill is refused meanwhile, without StartPairDrill upstream.
            _ = try await provider.perform(.stop, onProtectionGroup: AlibabaEBSSimulator.seedPairId, input: ActionInput(), context: Self.context)
            let busy = await problem {
                _ = try await provider.createDrill(CreateDrillInput(name: "d1", protectionGroupId: AlibabaEBSSimulator.seedPairId), context: Self.context)
            }
            #expect(busy?.code == "conflict" && busy?.status == 409)
            #expect(h.requests("StartPairDrill").isEmpty)
            let unknownDrill = await problem { _ = try await provider.deleteDrill(id: "adrill_bm9wZQ", context: Self.context) }
            #expect(unknownDrill?.code == "not_found")
        }
    }

    @Test(arguments: [AlibabaSimulatorFault.drop, .serverError, .throttle])
    func retriedWriteKeepsItsClientTokenAndSignsAnew(fault: AlibabaSimulatorFault) async throws {
        try await SimulatorHarness.run { h in
            let provider = try h.provider()
            h.simulator.injectFaults([fault], forAction: "StartPairDrill")
            let job = try await provider.createDrill(CreateDrillInput(name: "retry", protectionGroupId: AlibabaEBSSimulator.seedPairId), context: Self.context)
            // libcurl may itself resend a request whose reused connection died, with the same
            // nonce (answered SignatureNonceUsed); the adapter's own retries are signed anew.
            let starts = h.requests("StartPairDrill")
            #expect(starts.count >= 2)
            #expect(starts.first?.status != 200 && starts.last?.status == 200)
            #expect(starts.filter { $0.status == 200 }.count == 1)
            let token = try #require(starts.first?.parameter("ClientToken"))
            #expect(starts.allSatisfy { $0.parameter("ClientToken") == token })
            #expect(starts.first?.nonce != nil && starts.first?.nonce != starts.last?.nonce)
            #expect(try await finish(job, with: provider) != .running)
            let drills = try await provider.listDrills(protectionGroupId: AlibabaEBSSimulator.seedPairId, cursor: nil, limit: 10, context: Self.context)
            #expect(drills.items.count == 1)
        }
    }

    @Test func clearWithoutClientTokenIsRetriedOnlyWhenSafe() async throws {
        try await SimulatorHarness.run { h in
            let provider = try h.provider()
            let job = try await provider.createDrill(CreateDrillInput(name: "c", protectionGroupId: AlibabaEBSSimulator.seedPairId), context: Self.context)
            _ = try await finish(job, with: provider)
            let drillId = try #require(job.resource.id)
            h.simulator.injectFaults([.serverError], forAction: "ClearPairDrill")
            let failed = await problem { _ = try await provider.deleteDrill(id: drillId, context: Self.context) }
            #expect(failed?.code == "upstream_error" || failed?.code == "upstream_unavailable")
            #expect(h.requests("ClearPairDrill").count == 1)
            h.simulator.injectFaults([.throttle], forAction: "ClearPairDrill")
            let delete = try await provider.deleteDrill(id: drillId, context: Self.context)
            #expect(h.requests("ClearPairDrill").count == 3)
            #expect(try await finish(delete, with: provider) == .succeeded(resourceId: drillId))
        }
    }

    @Test func clientTokenReplayMismatchAndInFlight() async throws {
        try await SimulatorHarness.run { h in
            let provider = try h.provider(maxAttempts: 8)
            let context = CallContext(requestId: "r1", clientToken: "tenant-key-0001")
            let first = try await provider.createDrill(CreateDrillInput(name: "a", protectionGroupId: AlibabaEBSSimulator.seedPairId), context: context)
            let again = try await provider.createDrill(CreateDrillInput(name: "a", protectionGroupId: AlibabaEBSSimulator.seedPairId), context: context)
            #expect(first.resource.id == again.resource.id)
            #expect(h.requests("StartPairDrill").map { $0.parameter("ClientToken") } == ["tenant-key-0001", "tenant-key-0001"])
            let reused = await problem {
                _ = try await provider.createDrill(CreateDrillInput(name: "a", protectionGroupId: AlibabaEBSSimulator.seedGroupId), context: context)
            }
            #expect(reused?.code == "idempotency_key_reused" && reused?.providerCode == "IdempotentParameterMismatch")

            // The first answer is slow; a concurrent twin sees LastTokenProcessing, retries and gets the same drill.
            let twin = CallContext(requestId: "r2", clientToken: "tenant-key-0002")
            h.simulator.injectFaults([.slow], forAction: "StartReplicaGroupDrill")
            async let one = provider.createDrill(CreateDrillInput(name: "b", protectionGroupId: AlibabaEBSSimulator.seedGroupId), context: twin)
            #expect(await eventually { h.simulator.clientTokensInFlight == 1 }, "the slow first call never arrived")
            let two = try await provider.createDrill(CreateDrillInput(name: "b", protectionGroupId: AlibabaEBSSimulator.seedGroupId), context: twin)
            #expect(try await one.resource.id == two.resource.id)
            #expect(h.requests("StartReplicaGroupDrill").contains { $0.status == 403 })
        }
    }

    @Test(arguments: ["v3", "v1"]) func wrongSecretIsAnUpstreamAuthFailure(signature: String) async throws {
        try await SimulatorHarness.run { h in
            let provider = try h.provider(signature: signature, secret: "not-the-secret")
            let refused = await problem { _ = try await provider.listProtectionGroups(cursor: nil, limit: 10, context: Self.context) }
            #expect(refused?.code == "upstream_auth_failed" && refused?.status == 502)
            #expect(refused?.providerCode == "SignatureDoesNotMatch")
            #expect(refused?.providerRequestId?.isEmpty == false)
            #expect(h.simulator.requestLog.all.count == 1)
        }
    }

    @Test func simulatorRefusesReplayedNoncesAndSkewedClocks() async throws {
        try await SimulatorHarness.run { h in
            let signer = AlibabaV3Signer(accessKeyId: SimulatorHarness.accessKey, accessKeySecret: SimulatorHarness.secretKey)
            func send(date: Date, nonce: String) async throws -> UpstreamResponse {
                let query: [(name: String, value: String)] = [("RegionId", "cn-shanghai")]
                let headers = signer.sign(
                    method: "POST", host: "127.0.0.1:\(h.port)", action: "DescribeDiskReplicaGroups", version: "2021-07-30", query: query,
                    date: date, nonce: nonce)
                return try await h.transport.send(UpstreamRequest(
                    method: "POST", url: h.endpoint + "/?" + AlibabaV3Signer.canonicalQueryString(query), headers: headers))
            }
            #expect(try await send(date: Date(), nonce: "n-1").status == 200)
            let replay = try await send(date: Date(), nonce: "n-1")
            #expect(replay.status == 400 && AlibabaErrorBody.parse(replay.body)?.code == "SignatureNonceUsed")
            let skewed = try await send(date: Date().addingTimeInterval(-16 * 60), nonce: "n-2")
            #expect(skewed.status == 400 && AlibabaErrorBody.parse(skewed.body)?.code == "InvalidTimeStamp.Expired")
            #expect(try await send(date: Date().addingTimeInterval(-14 * 60), nonce: "n-3").status == 200)
            let unsigned = try await h.transport.send(UpstreamRequest(method: "POST", url: h.endpoint + "/?Action=DescribeDiskReplicaGroups"))
            #expect(unsigned.status == 400)
        }
    }

    @Test func recoverPointIsNeededForADrill() async throws {
        try await SimulatorHarness.run { h in
            let provider = try h.provider()
            var input = CreateProtectionGroupInput(name: "newpair")
            input.sourceZoneId = "cn-shanghai-b"
            input.destinationRegionId = "cn-hangzhou"
            input.destinationZoneId = "cn-hangzhou-h"
            input.providerOptions = ["kind": "pair", "diskId": "d-src1", "destinationDiskId": "d-dst1"]
            let job = try await provider.createProtectionGroup(input, context: Self.context)
            let pairId = try #require(job.resource.id)
            #expect(try await finish(job, with: provider) == .succeeded(resourceId: pairId))
            #expect(try await provider.protectionGroup(id: pairId, context: Self.context).status == .available)
            let never = await problem {
                _ = try await provider.createDrill(CreateDrillInput(name: "d", protectionGroupId: pairId), context: Self.context)
            }
            #expect(never?.code == "conflict" && never?.providerCode == "OperationDenied.RecoverPointNotFound")

            var group = CreateProtectionGroupInput(name: "newgroup", description: "made by a test")
            group.sourceZoneId = "cn-shanghai-b"
            group.destinationRegionId = "cn-hangzhou"
            group.destinationZoneId = "cn-hangzhou-h"
            group.rpo = 900
            let created = try await provider.createProtectionGroup(group, context: Self.context)
            let groupId = try #require(created.resource.id)
            #expect(groupId.hasPrefix("pg-"))
            #expect(try await finish(created, with: provider) == .succeeded(resourceId: groupId))
            let delete = try await provider.deleteProtectionGroup(id: groupId, context: Self.context)
            #expect(try await finish(delete, with: provider) == .succeeded(resourceId: groupId))
            let gone = await problem { _ = try await provider.protectionGroup(id: groupId, context: Self.context) }
            #expect(gone?.code == "not_found")
        }
    }
}
