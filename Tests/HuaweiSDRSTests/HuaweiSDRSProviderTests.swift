import DRGWCore
import DRGWTesting
import DRGWTransport
import Foundation
import Synchronization
import Testing

@testable import HuaweiSDRS
@testable import HuaweiSDRSSimulation

/// The adapter against the simulator over real HTTP on 127.0.0.1.
@Suite struct HuaweiSDRSProviderTests {
    let context = CallContext(requestId: "req-test", traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")

    @Test func drillLifecycle() async throws {
        try await SDRSSimulatorHarness.with { h in
            let provider = try h.provider()
            let group = h.simulator.seedGroupId
            let job = try await provider.createDrill(
                CreateDrillInput(name: "dr_drill_test", protectionGroupId: group), context: context)
            #expect(job.kind == "drill.create")
            #expect(job.token["jobId"]?.count == 32)
            guard case .succeeded(let id?) = try await SDRSSimulatorHarness.finish(job, on: provider) else {
                Issue.record("drill job did not succeed")
                return
            }
            let drill = try await provider.drill(id: id, context: context)
            #expect(drill.status == .ready)
            #expect(drill.providerStatus == "available")
            #expect(drill.protectionGroupId == group)
            #expect(drill.createdAt.hasSuffix("Z") && drill.createdAt.contains("T"))
            let listed = try await provider.listDrills(protectionGroupId: group, cursor: nil, limit: 50, context: context)
            #expect(listed.items.map(\.id) == [id])
            #expect(listed.items.first?.status == .ready)

            let deletion = try await provider.deleteDrill(id: id, context: context)
            #expect(deletion.resource.id == id)
            #expect(try await SDRSSimulatorHarness.finish(deletion, on: provider) == .succeeded(resourceId: id))
            await expectProblem(.notFound) { _ = try await provider.drill(id: id, context: context) }
            #expect(try await provider.listDrills(protectionGroupId: group, cursor: nil, limit: 50, context: context).items.isEmpty)

            // Every request was signed with the gateway's header set, and carried the trace context.
            let create = try #require(h.requests("createDrill").first)
            #expect(create.header("Authorization")?.contains("SignedHeaders=content-type;host;x-project-id;x-sdk-date,") == true)
            #expect(create.header("traceparent") == context.traceparent)
            #expect(create.header("User-Agent") == "drgw-tests/0.1")
        }
    }

    @Test func protectionGroupLifecycleAndActions() async throws {
        try await SDRSSimulatorHarness.with { h in
            let provider = try h.provider()
            var input = CreateProtectionGroupInput(name: "pg-test", description: "made by tests")
            input.sourceAvailabilityZone = "ap-southeast-3a"
            input.targetAvailabilityZone = "ap-southeast-3b"
            input.sourceNetworkId = "046852ef-c49d-409b-8389-546aaaa5701f"
            input.domainId = h.simulator.domainId
            let created = try await provider.createProtectionGroup(input, context: context)
            guard case .succeeded(let newId?) = try await SDRSSimulatorHarness.finish(created, on: provider) else {
                Issue.record("group job did not succeed")
                return
            }
            let fresh = try await provider.protectionGroup(id: newId, context: context)
            #expect(fresh.status == .available)
            #expect(fresh.name == "pg-test")
            #expect(fresh.kind == .group)

            // The seeded group walks through every action.
            let seed = h.simulator.seedGroupId
            let steps: [(ProtectionGroupAction, ActionInput, String)] = [
                (.failover, ActionInput(), "failed-over"),
                (.reprotect, ActionInput(), "protected"),
                (.switchover, ActionInput(priorityStation: "target"), "protected"),
                (.stop, ActionInput(), "available"),
                (.start, ActionInput(), "protected"),
            ]
            for (action, actionInput, expected) in steps {
                let job = try await provider.perform(action, onProtectionGroup: seed, input: actionInput, context: context)
                #expect(job.kind == action.operationKind)
                #expect(try await SDRSSimulatorHarness.finish(job, on: provider) == .succeeded(resourceId: seed))
                #expect(try await provider.protectionGroup(id: seed, context: context).providerStatus == expected, "\(action)")
            }
            #expect(try await provider.protectionGroup(id: seed, context: context).priorityStation == "target")
            let actions = h.requests("serverGroupAction").compactMap { String(bytes: $0.body, encoding: .utf8) }
            #expect(actions.contains(#"{"reverse-server-group": {"priority_station": "target"}}"#))

            let pages = try await provider.listProtectionGroups(cursor: nil, limit: 1, context: context)
            #expect(pages.items.count == 1)
            #expect(pages.nextCursor == "1")
            let second = try await provider.listProtectionGroups(cursor: pages.nextCursor, limit: 1, context: context)
            #expect(second.items.count == 1 && second.nextCursor == nil)
            #expect(Set((pages.items + second.items).map(\.id)) == [seed, newId])

            // Upstream state rules come back as contract problems.
            let refused = await expectProblem(.conflict) { _ = try await provider.deleteProtectionGroup(id: seed, context: context) }
            #expect(refused?.providerCode == "SDRS.1001")
            #expect(refused?.providerRequestId?.count == 32)

            let deletion = try await provider.deleteProtectionGroup(id: newId, context: context)
            #expect(try await SDRSSimulatorHarness.finish(deletion, on: provider) == .succeeded(resourceId: newId))
            await expectProblem(.notFound) { _ = try await provider.protectionGroup(id: newId, context: context) }
        }
    }

    @Test func stateRulesAndBadInputNeverWriteUpstream() async throws {
        // 2 s jobs: the failover below must still be running when the next create reads the group.
        try await SDRSSimulatorHarness.with(jobSeconds: 2) { h in
            let provider = try h.provider()
            let seed = h.simulator.seedGroupId

            // Bad names and ids are refused before any call.
            let bad = await expectProblem(.invalidRequest) {
                _ = try await provider.createDrill(CreateDrillInput(name: "bad name!", protectionGroupId: seed), context: context)
            }
            #expect(bad?.errors?.map(\.field) == ["name"])
            await expectProblem(.invalidRequest) {
                _ = try await provider.createDrill(CreateDrillInput(name: "ok", protectionGroupId: "../x"), context: context)
            }
            await expectProblem(.invalidRequest) {
                _ = try await provider.perform(.switchover, onProtectionGroup: seed, input: ActionInput(priorityStation: "up"), context: context)
            }
            await expectProblem(.invalidRequest) {
                _ = try await provider.createProtectionGroup(CreateProtectionGroupInput(name: "pg"), context: context)
            }
            #expect(h.simulator.requestLog.all.isEmpty)

            // A Chinese drill name is allowed.
            let cjk = try await provider.createDrill(CreateDrillInput(name: "演练-1", protectionGroupId: seed), context: context)
            guard case .succeeded(let cjkId?) = try await SDRSSimulatorHarness.finish(cjk, on: provider) else {
                Issue.record("CJK drill failed")
                return
            }
            _ = try await SDRSSimulatorHarness.finish(try await provider.deleteDrill(id: cjkId, context: context), on: provider)

            // Reprotect from `protected` is refused locally after reading the group.
            await expectProblem(.conflict) {
                _ = try await provider.perform(.reprotect, onProtectionGroup: seed, input: ActionInput(), context: context)
            }
            #expect(h.requests("serverGroupAction").isEmpty)

            // Drill creation from a group that is failing over: read, then 409 without a create.
            let failover = try await provider.perform(.failover, onProtectionGroup: seed, input: ActionInput(), context: context)
            h.simulator.requestLog.removeAll()
            await expectProblem(.conflict) {
                _ = try await provider.createDrill(CreateDrillInput(name: "too_early", protectionGroupId: seed), context: context)
            }
            #expect(h.requests("showServerGroup").count == 1)
            #expect(h.requests("createDrill").isEmpty)
            _ = try await SDRSSimulatorHarness.finish(failover, on: provider)

            // An upstream wrong-state answer maps to conflict (stop needs `protected`).
            let stop = await expectProblem(.conflict) {
                _ = try await provider.perform(.stop, onProtectionGroup: seed, input: ActionInput(), context: context)
            }
            #expect(stop?.providerCode == "SDRS.1002")

            // Unknown drill and group ids.
            await expectProblem(.notFound) { _ = try await provider.drill(id: "0f1e2d3c-0000-4000-a000-000000000000", context: context) }
            await expectProblem(.notFound) {
                _ = try await provider.createDrill(CreateDrillInput(name: "x", protectionGroupId: "missing-group"), context: context)
            }
            #expect(h.requests("createDrill").isEmpty)
        }
    }

    @Test func passedGroupCheckIsReusedBrieflyWhileUpstreamStillGuardsTheRule() async throws {
        try await SDRSSimulatorHarness.with(jobSeconds: 30) { h in
            // A clock that stands still: on a loaded machine the real one can pass the check's
            // half-life between steps and start a background refresh (a read this test does not count).
            let frozen = Date()
            let provider = try HuaweiSDRSProvider(account: try h.provider().account, transport: h.transport, clock: { frozen })
            let seed = h.simulator.seedGroupId
            // Two creates in a row: the group is read once.
            for name in ["burst_1", "burst_2"] {
                _ = try await provider.createDrill(CreateDrillInput(name: name, protectionGroupId: seed), context: context)
            }
            #expect(h.requests("showServerGroup").count == 1)
            #expect(h.requests("createDrill").count == 2)

            // The group fails over behind this adapter's back (another gateway, the console):
            // the reused check lets the create go upstream, which refuses it as a conflict ...
            let other = try h.provider()
            _ = try await other.perform(.failover, onProtectionGroup: seed, input: ActionInput(), context: context)
            let stale = await expectProblem(.conflict) {
                _ = try await provider.createDrill(CreateDrillInput(name: "stale", protectionGroupId: seed), context: context)
            }
            #expect(stale?.providerCode == "SDRS.0209")
            #expect(h.requests("createDrill").count == 3)
            // ... and the entry is dropped: the next create reads the group and stops locally.
            let local = await expectProblem(.conflict) {
                _ = try await provider.createDrill(CreateDrillInput(name: "local", protectionGroupId: seed), context: context)
            }
            #expect(local?.providerCode == nil)
            #expect(h.requests("showServerGroup").count == 2)
            #expect(h.requests("createDrill").count == 3)
        }
    }

    @Test func aPassedCheckPastHalfItsLifeIsRefreshedInTheBackground() async throws {
        try await SDRSSimulatorHarness.with(jobSeconds: 30) { h in
            let now = Mutex(Date())
            let account = try h.provider().account
            let provider = try HuaweiSDRSProvider(account: account, transport: h.transport, clock: { now.withLock { $0 } })
            let seed = h.simulator.seedGroupId
            _ = try await provider.createDrill(CreateDrillInput(name: "life_1", protectionGroupId: seed), context: context)
            #expect(h.requests("showServerGroup").count == 1)
            now.withLock { $0.addTimeInterval(1.5) }  // past half of the default 2 s
            _ = try await provider.createDrill(CreateDrillInput(name: "life_2", protectionGroupId: seed), context: context)
            _ = try await provider.createDrill(CreateDrillInput(name: "life_3", protectionGroupId: seed), context: context)
            // One background read for the two creates, which did not wait for it.
            #expect(await eventually { h.requests("showServerGroup").count >= 2 })
            // ... and its answer stored (the old entry ends at 2 s; the refreshed one lives past 2.1 s).
            #expect(await eventually { provider.drillableGroups.value(for: seed, now: now.withLock { $0 }.timeIntervalSince1970 + 0.6) != nil })
            // No third read follows: give a stray one the time to show before counting.
            try await Task.sleep(for: .milliseconds(100))
            #expect(h.requests("showServerGroup").count == 2)
            #expect(h.requests("createDrill").count == 3)
            // The refresh began a new life: at 2.2 s the first entry would have ended; this one is fresh.
            now.withLock { $0.addTimeInterval(0.7) }
            _ = try await provider.createDrill(CreateDrillInput(name: "life_4", protectionGroupId: seed), context: context)
            #expect(h.requests("showServerGroup").count == 2)
        }
    }

    @Test func groupCheckSecondsZeroReadsTheGroupBeforeEveryCreate() async throws {
        try await SDRSSimulatorHarness.with { h in
            var account = try h.provider().account
            account.groupCheckSeconds = 0
            let provider = try HuaweiSDRSProvider(account: account, transport: h.transport)
            for name in ["each_1", "each_2", "each_3"] {
                _ = try await provider.createDrill(CreateDrillInput(name: name, protectionGroupId: h.simulator.seedGroupId), context: context)
            }
            #expect(h.requests("showServerGroup").count == 3)
            #expect(h.requests("createDrill").count == 3)
        }
    }

    @Test func wrongSecretIsUpstreamAuthFailed() async throws {
        try await SDRSSimulatorHarness.with { h in
            let provider = try h.provider(secretKey: "not-the-secret")
            let problem = await expectProblem(.upstreamAuthFailed) {
                _ = try await provider.protectionGroup(id: h.simulator.seedGroupId, context: context)
            }
            #expect(problem?.providerCode == "APIGW.0301")
            #expect(problem?.status == 502)
            #expect(problem?.providerRequestId != nil)
            let rendered = String(decoding: try JSONEncoder().encode(problem), as: UTF8.self)
            #expect(!rendered.contains("not-the-secret"))
            let sent = try #require(h.simulator.requestLog.all.first)
            let signature = try #require(sent.header("Authorization")?.split(separator: "=").last.map(String.init))
            #expect(!rendered.contains(signature))
            #expect(h.simulator.requestLog.all.count == 1)  // not retried
        }
    }

    @Test func reconcileAdoptsAnExistingDrill() async throws {
        try await SDRSSimulatorHarness.with { h in
            let provider = try h.provider()
            let seed = h.simulator.seedGroupId
            let input = CreateDrillInput(name: "retry_me", protectionGroupId: seed)
            let first = try await provider.createDrill(input, context: context)
            guard case .succeeded(let id?) = try await SDRSSimulatorHarness.finish(first, on: provider) else {
                Issue.record("drill failed")
                return
            }
            var replay = context
            replay.reconcile = true
            let second = try await provider.createDrill(input, context: replay)
            #expect(second.token == ["adoptedId": id])
            #expect(try await provider.progress(of: second, context: context) == .succeeded(resourceId: id))
            #expect(h.requests("createDrill").count == 1)
            // With no match the replay creates.
            let other = try await provider.createDrill(CreateDrillInput(name: "retry_me2", protectionGroupId: seed), context: replay)
            #expect(other.token["jobId"] != nil)
            #expect(h.requests("createDrill").count == 2)
        }
    }

    @Test func reconcileFollowsAnActionThatAlreadyWentThrough() async throws {
        try await SDRSSimulatorHarness.with(jobSeconds: 0.5) { h in
            let provider = try h.provider()
            let seed = h.simulator.seedGroupId
            _ = try await provider.perform(.failover, onProtectionGroup: seed, input: ActionInput(), context: context)
            var replay = context
            replay.reconcile = true
            // The first failover is still running: the replay follows it instead of failing with SDRS.1002.
            let followed = try await provider.perform(.failover, onProtectionGroup: seed, input: ActionInput(), context: replay)
            #expect(followed.token == ["awaitGroupStatus": "failed-over", "groupId": seed])
            #expect(try await SDRSSimulatorHarness.finish(followed, on: provider) == .succeeded(resourceId: seed))
            #expect(h.requests("serverGroupAction").count == 1)
            // A replayed reprotect on a group that has not moved acts for real.
            let reprotect = try await provider.perform(.reprotect, onProtectionGroup: seed, input: ActionInput(), context: replay)
            #expect(reprotect.token["jobId"] != nil)
            #expect(h.requests("serverGroupAction").count == 2)
        }
    }

    @Test func readsRetryThroughInjectedFaultsAndWritesNeverDuplicate() async throws {
        try await SDRSSimulatorHarness.with(faultRate: 0.35, seed: 42) { h in
            let provider = try h.provider(limits: UpstreamLimits(requestTimeout: 10, maxAttempts: 8, retryBudgetSeconds: 60, baseBackoff: 0.02))
            var created = 0
            for index in 0..<6 {
                do {
                    let job = try await provider.createDrill(
                        CreateDrillInput(name: "fault_\(index)", protectionGroupId: h.simulator.seedGroupId), context: context)
                    created += 1
                    _ = try await SDRSSimulatorHarness.finish(job, on: provider, deadline: 60)
                } catch let problem as Problem {
                    #expect(["upstream_error", "upstream_unavailable", "upstream_timeout", "rate_limited"].contains(problem.code))
                }
            }
            // Each accepted create made exactly one drill, whatever faults happened.
            let accepted = h.requests("createDrill").filter { $0.status == 200 }.count
            let drills = try await provider.listDrills(protectionGroupId: h.simulator.seedGroupId, cursor: nil, limit: 100, context: context)
            #expect(drills.items.count == accepted)
            #expect(accepted == created)
            #expect(h.simulator.requestLog.all.contains { $0.status >= 500 || $0.status == 429 || $0.status == 0 })
        }
    }

    @Test func iamTokenIsAcceptedWithoutSigning() async throws {
        try await SDRSSimulatorHarness.with(authToken: "iam-token-value") { h in
            let account = AccountSettings(
                id: "hw-token", provider: "huawei-sdrs", region: "ap-southeast-3", endpoint: h.endpoint,
                options: ["projectId": h.simulator.projectId], credentials: Credentials(authToken: "iam-token-value"))
            let provider = try HuaweiSDRSProvider(account: account, transport: h.transport)
            let group = try await provider.protectionGroup(id: h.simulator.seedGroupId, context: context)
            #expect(group.status == .protected)
            let sent = try #require(h.simulator.requestLog.all.first)
            #expect(sent.header("Authorization") == nil)
            #expect(sent.header("X-Auth-Token") == "iam-token-value")
        }
    }
}
