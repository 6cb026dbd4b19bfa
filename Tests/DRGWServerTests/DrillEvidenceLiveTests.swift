import AlibabaEBS
import AlibabaEBSSimulation
import AWSDRS
import AWSDRSSimulation
import DRGWCore
import DRGWServer
import DRGWTransport
import Foundation
import HuaweiSDRS
import HuaweiSDRSSimulation
import Testing

/// Drill reports over real HTTP against both simulators: measured RTO, provider RPO, verdicts,
/// reports after delete, CSV, TTL cleanup with verification, leftovers and the evidence metrics.
@Suite("Drill evidence (live gateway and simulators)", .serialized)
struct DrillEvidenceLiveTests {
    static func options(drillSeconds: Double, phantomDeletes: Bool = false) -> SimulatorOptions {
        var options = SimulatorOptions(accessKey: "EVIDENCETESTAK0001", secretKey: "evidence-secret-\(UUID().uuidString)", jobSeconds: 0.3)
        options.drillSeconds = drillSeconds
        options.phantomDeletes = phantomDeletes
        return options
    }

    static let huaweiGroup = "40df180b-9fe2-471a-8c64-1b758dc84189"

    static let plugins: [any ProviderPlugin.Type] = [HuaweiSDRSPlugin.self, AlibabaEBSPlugin.self, AWSDRSPlugin.self]

    /// The seeded group of each simulator: Huawei's group, Alibaba's `alibaba` (group or pair), the AWS recovery plan.
    static func seedGroup(_ index: Int, _ rig: EvidenceRig, alibaba: String) -> String {
        switch index {
        case 0: return huaweiGroup
        case 1: return alibaba
        default: return (rig.simulator as? AWSDRSSimulator)?.seedPlanId ?? ""
        }
    }

    @Test("RTO is measured within ±1 s of the simulator's drill time; RPO comes from the provider's data", arguments: [0, 1, 2])
    func rtoAndRPO(index: Int) async throws {
        let plugin = Self.plugins[index]
        let drillSeconds = 3.0
        try await EvidenceRig.with(plugin, options: Self.options(drillSeconds: drillSeconds)) { rig in
            let group = Self.seedGroup(index, rig, alibaba: AlibabaEBSSimulator.seedGroupId)
            let operation = try await rig.createDrill(group: group, extra: #","rtoTargetSeconds":60"#)
            let operationId = try #require(operation["id"] as? String)
            let final = try await rig.finish(operationId)
            #expect(final["status"] as? String == "succeeded")
            let drillId = try #require((final["resource"] as? [String: Any])?["id"] as? String)
            let report = try await rig.report(drillId)

            let rto = try #require(report["rtoSeconds"] as? Double, "report: \(report)")
            // Never shorter than the drill; on an idle machine within 1 s over it (polls every 0.5 s), and
            // 3 s leaves room for a CI box whose two cores are busy with the other suites.
            #expect(rto >= drillSeconds - 0.05 && rto <= drillSeconds + 3, "measured RTO \(rto) s for a \(drillSeconds) s drill")
            let requested = try #require(Timestamp.parseRFC3339(report["requestedAt"] as? String ?? ""))
            let ready = try #require(Timestamp.parseRFC3339(report["readyAt"] as? String ?? ""))
            #expect(abs(ready.timeIntervalSince(requested) - rto) < 0.01)
            #expect(report["outcome"] as? String == "pending")
            #expect(report["drillId"] as? String == drillId)
            #expect(report["operations"] as? [String] == [operationId])
            #expect(!(report["providerRequestIds"] as? [String] ?? []).isEmpty)
            #expect(report["rtoTargetSeconds"] as? Int == 60)
            #expect(report["cleanupVerified"] as? Bool == false)

            if index == 0 {
                // SDRS replicates synchronously and the seeded pair is in sync.
                #expect(report["rpoSeconds"] as? Double == 0, "report: \(report)")
                #expect((report["rpoBasis"] as? String ?? "").contains("synchronous"))
            } else if index == 2 {
                // DRS replicates continuously; the seeded servers report a 10 s lag.
                #expect(report["rpoSeconds"] as? Double == 10, "report: \(report)")
                #expect((report["rpoBasis"] as? String ?? "").contains("replication lag"))
            } else {
                // The drill's own recovery point against its start, as the simulator recorded them.
                let simulator = try #require(rig.simulator as? AlibabaEBSSimulator)
                let (_, drill) = try await rig.call("GET", "/v1/accounts/\(rig.account)/drills/\(drillId)")
                let upstreamId = try #require(drill["providerId"] as? String)
                let times = try #require(simulator.drillTimes(upstreamId))
                let rpo = try #require(report["rpoSeconds"] as? Double, "report: \(report)")
                #expect(rpo == Double(times.startAt - times.recoverPoint))
                #expect(rpo >= 24 && rpo <= 150, "an asynchronous pair lags by 0.2 to 1.2 cycles of 120 s (+ rounding)")
            }
        }
    }

    @Test("Huawei: a pair out of sync or an RPO exceedance gives no RPO figure, and an RPO target cannot pass")
    func huaweiRPOUnknown() async throws {
        try await EvidenceRig.with(HuaweiSDRSPlugin.self, options: Self.options(drillSeconds: 0.3)) { rig in
            let simulator = try #require(rig.simulator as? HuaweiSDRSSimulator)
            simulator.setReplicationStatus("copying", group: Self.huaweiGroup)
            let first = try await rig.readyDrill(group: Self.huaweiGroup, extra: #","rpoTargetSeconds":60"#)
            let copying = try await rig.report(first)
            #expect(copying["rpoSeconds"] is NSNull)
            #expect((copying["rpoBasis"] as? String ?? "").contains("copying"), "\(copying)")
            #expect((copying["findings"] as? [String] ?? []).contains { $0.contains("RPO unknown") })

            simulator.setReplicationStatus("active", group: Self.huaweiGroup)
            simulator.recordRPOExceedance(at: Date().addingTimeInterval(-600), pairs: 2)
            let second = try await rig.readyDrill(group: Self.huaweiGroup)
            let exceeded = try await rig.report(second)
            #expect(exceeded["rpoSeconds"] is NSNull)
            #expect((exceeded["rpoBasis"] as? String ?? "").contains("2 replication pair"), "\(exceeded)")
        }
    }

    @Test("a report outlives its drill; a person's verdict; the list filters, pages and exports CSV that parses back")
    func reportsAfterDelete() async throws {
        try await EvidenceRig.with(HuaweiSDRSPlugin.self, options: Self.options(drillSeconds: 0.3)) { rig in
            let drillId = try await rig.readyDrill(group: Self.huaweiGroup)
            let other = try await rig.readyDrill(group: Self.huaweiGroup)
            let (deleteStatus, deleted) = try await rig.call(
                "DELETE", "/v1/accounts/\(rig.account)/drills/\(drillId)", headers: [("Idempotency-Key", "del-\(drillId)")])
            #expect(deleteStatus == 202)
            #expect(try await rig.finish(try #require(deleted["id"] as? String))["status"] as? String == "succeeded")
            let (goneStatus, _) = try await rig.call("GET", "/v1/accounts/\(rig.account)/drills/\(drillId)")
            #expect(goneStatus == 404)

            let after = try await rig.waitReport(drillId) { $0["cleanedUpAt"] is String }
            #expect((after["operations"] as? [String])?.count == 2)
            #expect(after["rtoSeconds"] is Double)

            // Bad verdicts are refused, every bad field listed.
            let long = String(repeating: "x", count: 4097)
            let (badStatus, bad) = try await rig.call(
                "POST", "/v1/accounts/\(rig.account)/drills/\(drillId)/result", json: #"{"outcome":"maybe","notes":"\#(long)","extra":1}"#)
            #expect(badStatus == 400)
            let fields = Set((bad["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["outcome", "notes", "extra"], "\(bad)")
            let (unknownStatus, _) = try await rig.call(
                "POST", "/v1/accounts/\(rig.account)/drills/no-such-drill/result", json: #"{"outcome":"passed"}"#)
            #expect(unknownStatus == 404)

            let notes = "App team checked logins, orders\nand \"payments\"; all fine."
            let notesJSON = String(decoding: try JSONEncoder().encode(notes), as: UTF8.self)
            let (resultStatus, verdict) = try await rig.call(
                "POST", "/v1/accounts/\(rig.account)/drills/\(drillId)/result", json: #"{"outcome":"passed","notes":\#(notesJSON)}"#)
            #expect(resultStatus == 200)
            #expect(verdict["outcome"] as? String == "passed")
            #expect(verdict["notes"] as? String == notes)

            let (listStatus, list) = try await rig.call("GET", "/v1/reports?account=\(rig.account)&outcome=passed")
            #expect(listStatus == 200)
            #expect((list["items"] as? [[String: Any]])?.compactMap { $0["drillId"] as? String } == [drillId])
            let (pageStatus, page) = try await rig.call("GET", "/v1/reports?limit=1")
            #expect(pageStatus == 200)
            #expect((page["items"] as? [[String: Any]])?.first?["drillId"] as? String == other, "newest first")
            let cursor = try #require(page["nextCursor"] as? String)
            let (_, next) = try await rig.call("GET", "/v1/reports?limit=1&cursor=\(cursor)")
            #expect((next["items"] as? [[String: Any]])?.first?["drillId"] as? String == drillId)
            let (futureStatus, future) = try await rig.call("GET", "/v1/reports?from=2099-01-01T00:00:00Z")
            #expect(futureStatus == 200 && (future["items"] as? [Any])?.isEmpty == true)
            for query in ["from=yesterday", "outcome=great", "cursor=nonsense", "account=../x", "limit=0"] {
                let (status, problem) = try await rig.call("GET", "/v1/reports?\(query)")
                #expect(status == 400, "\(query): \(problem)")
            }

            let csv = try await rig.gateway.send("GET", "/v1/reports?account=\(rig.account)", headers: [("Accept", "text/csv")])
            #expect(csv.status == 200)
            #expect(csv.header("Content-Type")?.hasPrefix("text/csv") == true)
            let rows = try #require(CSVWriter.parse(String(decoding: csv.body, as: UTF8.self)))
            let header = try #require(rows.first)
            #expect(Array(header.prefix(18)) == [
                "drillId", "account", "provider", "protectionGroupId", "name", "requestedAt", "readyAt", "rtoSeconds", "rpoSeconds",
                "rtoTargetSeconds", "rpoTargetSeconds", "outcome", "notes", "expiresAt", "cleanedUpAt", "cleanupVerified", "operations",
                "providerRequestIds",
            ])
            #expect(rows.count == 3)
            let row = try #require(rows.first { $0.first == drillId })
            let column = { (name: String) in row[header.firstIndex(of: name)!] }
            #expect(column("notes") == notes)
            #expect(column("outcome") == "passed")
            #expect(column("operations") == (after["operations"] as? [String] ?? []).joined(separator: " "))
            #expect(abs((Double(column("rtoSeconds")) ?? -1) - (after["rtoSeconds"] as? Double ?? -2)) < 0.001)
            #expect(column("requestedAt") == after["requestedAt"] as? String)
        }
    }

    @Test("cleanupAfter: the drill shows expiresAt, is deleted after it and the cleanup is verified upstream", arguments: [0, 1, 2])
    func ttlCleanup(index: Int) async throws {
        let plugin = Self.plugins[index]
        let options = Self.options(drillSeconds: 0.5)
        try await EvidenceRig.with(plugin, options: options) { rig in
            let group = Self.seedGroup(index, rig, alibaba: AlibabaEBSSimulator.seedPairId)
            // A drill made outside the gateway in the same group: the sweeper must leave it alone.
            var outside: String?
            if index == 0 {
                let transport = CurlTransport()
                defer { transport.shutdown() }
                let account = HuaweiSDRSPlugin.demoAccount(id: "outside", endpoint: rig.simulatorEndpoint, options: options)
                let direct = try HuaweiSDRSPlugin.makeProvider(account: account, transport: transport)
                let job = try await direct.createDrill(
                    CreateDrillInput(name: "outside_drill", protectionGroupId: group), context: CallContext(requestId: "outside"))
                let deadline = ContinuousClock.now + .seconds(20)
                while outside == nil, ContinuousClock.now < deadline {
                    let progress = try await direct.progress(of: job, context: CallContext(requestId: "outside"))
                    if case .succeeded(let id) = progress { outside = id }
                    if case .failed = progress { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(outside != nil)
            }

            let drillId = try await rig.readyDrill(group: group, extra: #","cleanupAfter":"PT2S""#)
            let (_, drill) = try await rig.call("GET", "/v1/accounts/\(rig.account)/drills/\(drillId)")
            let expires = try #require(Timestamp.parseRFC3339(drill["expiresAt"] as? String ?? ""), "drill: \(drill)")
            let first = try await rig.report(drillId)
            let requested = try #require(Timestamp.parseRFC3339(first["requestedAt"] as? String ?? ""))
            #expect(abs(expires.timeIntervalSince(requested) - 2) < 0.01)
            #expect(first["cleanupStatus"] as? String == "scheduled")

            let done = try await rig.waitReport(drillId) { $0["cleanupVerified"] as? Bool == true }
            #expect(done["cleanupStatus"] as? String == "verified")
            let cleaned = try #require(Timestamp.parseRFC3339(done["cleanedUpAt"] as? String ?? ""))
            #expect(cleaned >= expires)
            #expect((done["operations"] as? [String])?.count == 2, "create and the sweeper's delete: \(done)")
            let (status, _) = try await rig.call("GET", "/v1/accounts/\(rig.account)/drills/\(drillId)")
            #expect(status == 404)
            #expect(try await rig.metric("drgw_drills_leftover", ["account": rig.account]) == 0)
            if let outside {
                let (outsideStatus, _) = try await rig.call("GET", "/v1/accounts/\(rig.account)/drills/\(outside)")
                #expect(outsideStatus == 200, "the drill made outside the gateway is still there")
            }
        }
    }

    @Test("a delete that reports success while the drill stays is caught as a leftover", arguments: [0, 1])
    func phantomDeleteIsLeftover(index: Int) async throws {
        let plugin: any ProviderPlugin.Type = index == 0 ? HuaweiSDRSPlugin.self : AlibabaEBSPlugin.self
        var evidence = EvidenceRig.fastEvidence
        evidence.maxDeleteAttempts = 2
        evidence.verifyAfterSeconds = index == 0 ? 0.5 : 4  // Alibaba's phantom is away from the list for 3 s
        try await EvidenceRig.with(plugin, options: Self.options(drillSeconds: 0.3, phantomDeletes: true), evidence: evidence) { rig in
            let group = index == 0 ? Self.huaweiGroup : AlibabaEBSSimulator.seedPairId
            let drillId = try await rig.readyDrill(group: group, extra: #","cleanupAfter":"PT1S""#)
            // Each of the two deletes "succeeds", and each later read finds the drill still there.
            let leftover = try await rig.waitReport(drillId, seconds: 40) {
                $0["cleanupStatus"] as? String == "leftover"
                    && ($0["findings"] as? [String] ?? []).filter { $0.hasPrefix("leftover:") }.count == 2
            }
            #expect(leftover["cleanupVerified"] as? Bool == false)
            #expect(leftover["cleanedUpAt"] is NSNull)
            #expect((leftover["operations"] as? [String])?.count == 3, "create and two deletes: \(leftover)")
            let (status, drill) = try await rig.call("GET", "/v1/accounts/\(rig.account)/drills/\(drillId)")
            #expect(status == 200 && drill["status"] as? String == "ready")
            let deadline = ContinuousClock.now + .seconds(10)
            var count = try await rig.metric("drgw_drills_leftover", ["account": rig.account])
            while count != 1, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                count = try await rig.metric("drgw_drills_leftover", ["account": rig.account])
            }
            #expect(count == 1)
        }
    }

    @Test("metrics: RTO histogram, last success per group, and a group without a good drill reads as overdue")
    func metrics() async throws {
        try await EvidenceRig.with(AlibabaEBSPlugin.self, options: Self.options(drillSeconds: 2)) { rig in
            let good = try await rig.readyDrill(group: AlibabaEBSSimulator.seedGroupId, extra: #","rtoTargetSeconds":30"#)
            let late = try await rig.readyDrill(group: AlibabaEBSSimulator.seedPairId, extra: #","rtoTargetSeconds":1"#)
            let goodReport = try await rig.report(good)
            let lateReport = try await rig.report(late)
            #expect(goodReport["outcome"] as? String == "pending")
            #expect(lateReport["outcome"] as? String == "failed")
            #expect((lateReport["findings"] as? [String] ?? []).contains { $0.contains("missed the target of 1 s") })

            let ready = try #require(Timestamp.parseRFC3339(goodReport["readyAt"] as? String ?? ""))
            let last = try #require(
                try await rig.metric(
                    "drgw_drill_last_success_timestamp_seconds", ["account": rig.account, "protection_group": AlibabaEBSSimulator.seedGroupId]))
            #expect(abs(last - ready.timeIntervalSince1970) < 1)
            let never = try #require(
                try await rig.metric(
                    "drgw_drill_last_success_timestamp_seconds", ["account": rig.account, "protection_group": AlibabaEBSSimulator.seedPairId]))
            #expect(never == 0)
            // The README's alert: time() - drgw_drill_last_success_timestamp_seconds > 30 days.
            let now = Date().timeIntervalSince1970
            #expect(!(now - last > 30 * 86_400))
            #expect(now - never > 30 * 86_400)
            let count = try await rig.metric("drgw_drill_rto_seconds_count", ["account": rig.account, "provider": "alibaba-ebs"])
            #expect(count == 2)
        }
    }
}
