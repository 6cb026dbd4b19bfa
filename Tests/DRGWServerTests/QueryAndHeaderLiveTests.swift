import AlibabaEBS
import AlibabaEBSSimulation
import DRGWCore
import Foundation
import HuaweiSDRS
import HuaweiSDRSSimulation
import Testing

@testable import DRGWServer

/// Query parameters are checked like body fields, list filters filter, and the HTTP details a
/// client or load balancer relies on (WWW-Authenticate, HEAD probes, Retry-After) are there.
@Suite("Query filters and HTTP details (live gateway)")
struct QueryAndHeaderLiveTests {
    @Test func unknownParametersAreRefusedAndFiltersFilter() async throws {
        let options = SimulatorOptions(port: 0, accessKey: "HPUAEXAMPLEAK0000888", secretKey: "query-secret-\(UUID().uuidString)", jobSeconds: 0.2)
        let simulator = try await RunningSimulator.start(HuaweiSDRSPlugin.self, options: options)
        defer { Task { await simulator.stop() } }
        let account = HuaweiSDRSPlugin.demoAccount(id: "hw-query", endpoint: "http://127.0.0.1:\(simulator.port)", options: options)
        let group = HuaweiSDRSSimulatorSeed.groupId
        try await LiveGateway.with(accounts: [account], plugins: [HuaweiSDRSPlugin.self]) { gateway in
            // A misspelt filter is a 400 naming it, not an unfiltered list.
            let typo = try await gateway.send("GET", "/v1/accounts/hw-query/drills?protectiongroupid=x&bogus=1")
            #expect(typo.status == 400)
            let fields = (typo.jsonObject["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
            #expect(fields == ["bogus", "protectiongroupid"])
            #expect(((typo.jsonObject["errors"] as? [[String: Any]])?.last?["message"] as? String ?? "").contains("did you mean protectionGroupId?"))
            for path in ["/v1/operations?kind=nope", "/v1/operations?since=yesterday", "/v1/accounts/hw-query/drills?status=broken",
                         "/v1/accounts/hw-query/protection-groups?state=protected", "/v1/schedules?limit=5&x=1", "/v1/reports?foo=bar"] {
                let answer = try await gateway.send("GET", path)
                #expect(answer.status == 400, "\(path): \(answer.status)")
                #expect(answer.jsonObject["code"] as? String == "invalid_request", "\(path)")
            }
            // A protection group create lists every bad field in one answer, another cloud's fields included.
            let empty = try await gateway.send("POST", "/v1/accounts/hw-query/protection-groups", json: "{}", headers: [("Idempotency-Key", "pg-empty")])
            let emptyFields = Set((empty.jsonObject["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(empty.status == 400)
            #expect(emptyFields == ["name", "sourceAvailabilityZone", "targetAvailabilityZone", "sourceNetworkId", "domainId"], "\(emptyFields)")
            let foreign = try await gateway.send(
                "POST", "/v1/accounts/hw-query/protection-groups",
                json: #"{"name":"pg1","sourceAvailabilityZone":"az1","targetAvailabilityZone":"az2","sourceNetworkId":"n1","domainId":"d1","rpo":900}"#,
                headers: [("Idempotency-Key", "pg-foreign")])
            #expect(foreign.status == 400)
            #expect((foreign.jsonObject["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } == ["rpo"])

            // An account the tenant cannot use is 404 on /v1/operations as on /v1/accounts/{account}/….
            #expect(try await gateway.send("GET", "/v1/operations?account=nope").status == 404)
            #expect(try await gateway.send("GET", "/v1/schedules?account=nope").status == 404)

            // Status filters on the groups and drills lists.
            let protected = try await gateway.send("GET", "/v1/accounts/hw-query/protection-groups?status=protected")
            let all = try await gateway.send("GET", "/v1/accounts/hw-query/protection-groups")
            let failedOver = try await gateway.send("GET", "/v1/accounts/hw-query/protection-groups?status=failed-over")
            #expect(Self.ids(protected).contains(group))
            #expect(Self.ids(protected) == Self.ids(all))
            #expect(Self.ids(failedOver).isEmpty)

            let created = try await gateway.send(
                "POST", "/v1/accounts/hw-query/drills", json: #"{"name":"query_drill","protectionGroupId":"\#(group)"}"#,
                headers: [("Idempotency-Key", "query-1"), ("Prefer", "wait=20")])
            #expect(created.status == 200 || created.status == 202)
            let ready = try await gateway.send("GET", "/v1/accounts/hw-query/drills?status=ready")
            let deleting = try await gateway.send("GET", "/v1/accounts/hw-query/drills?status=deleting")
            #expect(!Self.ids(ready).isEmpty)
            #expect(Self.ids(deleting).isEmpty)

            // Kind and time on /v1/operations.
            let creates = try await gateway.send("GET", "/v1/operations?kind=drill.create")
            let failovers = try await gateway.send("GET", "/v1/operations?kind=protectionGroup.failover")
            let future = try await gateway.send("GET", "/v1/operations?since=2999-01-01T00:00:00Z")
            let past = try await gateway.send("GET", "/v1/operations?until=2000-01-01T00:00:00Z&account=hw-query")
            #expect(Self.ids(creates).count == 1)
            #expect(Self.ids(failovers).isEmpty && Self.ids(future).isEmpty && Self.ids(past).isEmpty)
            #expect(Self.ids(try await gateway.send("GET", "/v1/operations?since=2000-01-01T00:00:00Z")) == Self.ids(creates))
        }
    }

    @Test func authenticateHeaderHeadProbesAndRetryAfter() async throws {
        try await LiveGateway.with(accounts: [], plugins: [HuaweiSDRSPlugin.self]) { gateway in
            let anonymous = try await gateway.client.send(UpstreamRequest(method: "GET", url: gateway.baseURL + "/v1/accounts"))
            #expect(anonymous.status == 401)
            #expect(anonymous.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
            let wrong = try await gateway.client.send(
                UpstreamRequest(method: "GET", url: gateway.baseURL + "/v1/accounts", headers: [("Authorization", "Bearer nope")]))
            #expect(wrong.status == 401 && wrong.header("WWW-Authenticate") != nil)
            for path in ["/healthz", "/readyz"] {
                let head = try await gateway.client.send(UpstreamRequest(method: "HEAD", url: gateway.baseURL + path))
                #expect(head.status == 200, "\(path)")
                #expect(head.body.isEmpty, "\(path)")
            }
            let post = try await gateway.client.send(UpstreamRequest(method: "POST", url: gateway.baseURL + "/healthz"))
            #expect(post.status == 405)
            #expect(post.header("Allow") == "GET, HEAD")
        }
    }

    @Test func everyServiceUnavailableAndTooManyRequestsSaysWhenToRetry() {
        for code in [ProblemCode.upstreamUnavailable, .storeUnavailable, .rateLimited] {
            var problem = Problem(code, detail: "x")
            problem.retryAfter = nil
            let response = ProblemResponse.response(problem, requestId: "r")
            #expect(response.headers[.retryAfter] != nil, "\(code)")
        }
        let unauthenticated = ProblemResponse.response(Problem(.unauthenticated, detail: "x"), requestId: "r")
        #expect(unauthenticated.headers[.wwwAuthenticate] == #"Bearer realm="drgw""#)
    }

    @Test("one not-found style for both clouds, repeated JSON members refused, opaque cursors")
    func notFoundRepeatedMembersAndCursors() async throws {
        let hwOptions = SimulatorOptions(port: 0, accessKey: "HPUAEXAMPLEAK0000444", secretKey: "nf-secret-\(UUID().uuidString)", jobSeconds: 0.2)
        let aliOptions = SimulatorOptions(port: 0, accessKey: "NOTFOUNDALIAK00001", secretKey: "nf-ali-\(UUID().uuidString)", jobSeconds: 0.2)
        let huawei = try await RunningSimulator.start(HuaweiSDRSPlugin.self, options: hwOptions)
        let alibaba = try await RunningSimulator.start(AlibabaEBSPlugin.self, options: aliOptions)
        defer { Task { await huawei.stop(); await alibaba.stop() } }
        let accounts = [
            HuaweiSDRSPlugin.demoAccount(id: "hw-nf", endpoint: huawei.endpoint, options: hwOptions),
            AlibabaEBSPlugin.demoAccount(id: "ali-nf", endpoint: alibaba.endpoint, options: aliOptions),
        ]
        try await LiveGateway.with(accounts: accounts, plugins: [HuaweiSDRSPlugin.self, AlibabaEBSPlugin.self]) { gateway in
            for account in ["hw-nf", "ali-nf"] {
                let drill = try await gateway.send("GET", "/v1/accounts/\(account)/drills/nope-1")
                #expect(drill.status == 404)
                #expect(drill.jsonObject["detail"] as? String == "Drill 'nope-1' was not found.", "\(account): \(drill.jsonObject)")
                let group = try await gateway.send("GET", "/v1/accounts/\(account)/protection-groups/nope-1")
                #expect(group.status == 404)
                #expect(group.jsonObject["detail"] as? String == "Protection group 'nope-1' was not found.", "\(account): \(group.jsonObject)")
                let delete = try await gateway.send("DELETE", "/v1/accounts/\(account)/drills/nope-1", headers: [("Idempotency-Key", "nf-\(account)")])
                #expect(delete.status == 404)
                #expect(delete.jsonObject["detail"] as? String == "Drill 'nope-1' was not found.", "\(account): \(delete.jsonObject)")
            }
            // The cloud's own code stays available.
            #expect(try await gateway.send("GET", "/v1/accounts/hw-nf/drills/nope-1").jsonObject["providerCode"] as? String == "SDRS.1902")

            // A member given twice is refused, however it is spelt; null is "not given".
            let group = HuaweiSDRSSimulatorSeed.groupId
            for body in [#"{"name":"a_drill","name":"b_drill","protectionGroupId":"\#(group)"}"#,
                         #"{"name":"a_drill","na\u006de":"b_drill","protectionGroupId":"\#(group)"}"#] {
                let twice = try await gateway.send("POST", "/v1/accounts/hw-nf/drills", json: body, headers: [("Idempotency-Key", UUID().uuidString)])
                #expect(twice.status == 400)
                #expect((twice.jsonObject["errors"] as? [[String: Any]])?.first?["field"] as? String == "name", "\(twice.jsonObject)")
            }
            let nulls = try await gateway.send(
                "POST", "/v1/accounts/hw-nf/drills", json: #"{"name":"null_net","protectionGroupId":"\#(group)","drillNetworkId":null}"#,
                headers: [("Idempotency-Key", "nf-null"), ("Prefer", "wait=20")])
            #expect(nulls.status == 200 || nulls.status == 202, "\(nulls.jsonObject)")

            // Cursors are opaque: a page's nextCursor leads on; a hand-made one is refused.
            for index in 0..<2 {
                _ = try await gateway.send(
                    "POST", "/v1/accounts/hw-nf/drills", json: #"{"name":"page_\#(index)","protectionGroupId":"\#(group)"}"#,
                    headers: [("Idempotency-Key", "nf-page-\(index)")])
            }
            let first = try await gateway.send("GET", "/v1/operations?limit=1")
            let cursor = try #require(first.jsonObject["nextCursor"] as? String)
            #expect(Int(cursor) == nil, "a row number is not opaque: \(cursor)")
            let second = try await gateway.send("GET", "/v1/operations?limit=1&cursor=\(cursor)")
            #expect(second.status == 200)
            let ids = [first, second].compactMap { (($0.jsonObject["items"] as? [[String: Any]])?.first?["id"] as? String) }
            #expect(ids.count == 2 && ids[0] != ids[1])
            let forged = try await gateway.send("GET", "/v1/operations?cursor=12")
            #expect(forged.status == 400)
            #expect((forged.jsonObject["errors"] as? [[String: Any]])?.first?["field"] as? String == "cursor")
        }
    }

    @Test("an Alibaba drill keeps the name it was given; a field Alibaba cannot honour is refused")
    func alibabaDrillNames() async throws {
        var options = SimulatorOptions(accessKey: "QUERYALIAK00000001", secretKey: "ali-query-\(UUID().uuidString)", jobSeconds: 0.2)
        options.drillSeconds = 0.3
        try await EvidenceRig.with(AlibabaEBSPlugin.self, options: options) { rig in
            let group = AlibabaEBSSimulator.seedGroupId
            let (refused, problem) = try await rig.call(
                "POST", "/v1/accounts/\(rig.account)/drills",
                json: #"{"name":"ali_drill_net","protectionGroupId":"\#(group)","drillNetworkId":"vpc-123"}"#,
                headers: [("Idempotency-Key", "ali-net-1")])
            #expect(refused == 400)
            #expect((problem["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } == ["drillNetworkId"])
            #expect(!rig.simulator.requestLog.all.contains { ($0.action ?? "").hasPrefix("Start") })

            let operation = try await rig.createDrill(group: group, name: "ali-drill-1")
            let final = try await rig.finish(try #require(operation["id"] as? String))
            let drillId = try #require((final["resource"] as? [String: Any])?["id"] as? String)
            let (status, drill) = try await rig.call("GET", "/v1/accounts/\(rig.account)/drills/\(drillId)")
            #expect(status == 200)
            #expect(drill["name"] as? String == "ali-drill-1")
            let (_, list) = try await rig.call("GET", "/v1/accounts/\(rig.account)/drills")
            let listed = (list["items"] as? [[String: Any]] ?? []).first { $0["id"] as? String == drillId }
            #expect(listed?["name"] as? String == "ali-drill-1")
        }
    }

    @Test("a replica pair inside a replica group is not a protection group of its own: 409 naming the group")
    func pairInsideAGroup() async throws {
        let options = SimulatorOptions(accessKey: "QUERYALIAK00000002", secretKey: "ali-pair-\(UUID().uuidString)", jobSeconds: 0.2)
        try await EvidenceRig.with(AlibabaEBSPlugin.self, options: options) { rig in
            let pair = AlibabaEBSSimulator.seedGroupPairId
            let base = "/v1/accounts/\(rig.account)/protection-groups/\(pair)"
            let (read, problem) = try await rig.call("GET", base)
            #expect(read == 409)
            #expect((problem["detail"] as? String ?? "").contains(AlibabaEBSSimulator.seedGroupId), "\(problem)")
            let (drill, _) = try await rig.call(
                "POST", "/v1/accounts/\(rig.account)/drills", json: #"{"name":"pair_drill","protectionGroupId":"\#(pair)"}"#,
                headers: [("Idempotency-Key", "pair-drill-1")])
            #expect(drill == 409)
            let (stop, _) = try await rig.call("POST", base + "/stop", json: "{}", headers: [("Idempotency-Key", "pair-stop-1")])
            #expect(stop == 409)
            #expect(!rig.simulator.requestLog.all.contains { ["StartPairDrill", "StopDiskReplicaPair"].contains($0.action ?? "") })
            // The group itself and the pair outside any group still work.
            #expect(try await rig.call("GET", "/v1/accounts/\(rig.account)/protection-groups/\(AlibabaEBSSimulator.seedGroupId)").0 == 200)
            #expect(try await rig.call("GET", "/v1/accounts/\(rig.account)/protection-groups/\(AlibabaEBSSimulator.seedPairId)").0 == 200)
        }
    }

    static func ids(_ answer: UpstreamResponse) -> [String] {
        ((answer.jsonObject["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
    }
}
