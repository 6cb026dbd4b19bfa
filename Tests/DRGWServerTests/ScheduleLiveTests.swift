import DRGWCore
import DRGWServer
import DRGWTesting
import DRGWTransport
import Foundation
import HuaweiSDRS
import HuaweiSDRSSimulation
import Testing

/// Drill schedules over real HTTP: validation, slots firing, run-now, and one drill per slot
/// across a `kill -9` of a real `drgw serve` process.
@Suite("Drill schedules (live)", .serialized)
struct ScheduleLiveTests {
    static let group = DrillEvidenceLiveTests.huaweiGroup

    /// Reports of a schedule, oldest first.
    static func reports(_ call: (String) async throws -> (Int, [String: Any]), schedule: String) async throws -> [[String: Any]] {
        let (status, list) = try await call("/v1/reports?scheduleId=\(schedule)&limit=200")
        try #require(status == 200, "reports answered \(status): \(list)")
        return (list["items"] as? [[String: Any]] ?? []).reversed()
    }

    @Test("create is validated field by field; slots fire through the normal create path; run-now; delete")
    func scheduleAPI() async throws {
        try await EvidenceRig.with(HuaweiSDRSPlugin.self, options: DrillEvidenceLiveTests.options(drillSeconds: 0.2)) { rig in
            let bad = #"{"name":"nightly drill","account":"\#(rig.account)","protectionGroupId":"\#(Self.group)","cron":"61 * * * *","timezone":"Mars/Olympus","cleanupAfter":"P1M","enabled":1,"surprise":true}"#
            let (badStatus, problem) = try await rig.call("POST", "/v1/schedules", json: bad)
            #expect(badStatus == 400)
            let fields = Set((problem["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["name", "cron", "timezone", "cleanupAfter", "enabled", "surprise"], "\(problem)")
            let (foreignStatus, _) = try await rig.call(
                "POST", "/v1/schedules", json: #"{"name":"x","account":"nobody","protectionGroupId":"g","cron":"* * * * *"}"#)
            #expect(foreignStatus == 404)
            let (neverStatus, never) = try await rig.call(
                "POST", "/v1/schedules",
                json: #"{"name":"x","account":"\#(rig.account)","protectionGroupId":"g","cron":"0 0 30 2 *"}"#)
            #expect(neverStatus == 400, "\(never)")

            let body = #"{"name":"every2s","account":"\#(rig.account)","protectionGroupId":"\#(Self.group)","cron":"*/2 * * * * *","timezone":"Europe/Berlin","cleanupAfter":"PT1H","rtoTargetSeconds":30}"#
            let sent = Date()
            let (status, schedule) = try await rig.call("POST", "/v1/schedules", json: body)
            #expect(status == 201, "\(schedule)")
            let id = try #require(schedule["id"] as? String)
            let next = try #require(Timestamp.parseRFC3339(schedule["nextRunAt"] as? String ?? ""))
            // The first slot after the create (an even second), however long the answer took to come back.
            #expect(Int(next.timeIntervalSince1970) % 2 == 0 && next > sent.addingTimeInterval(-0.1))

            // Two slots fire, each once, each a drill with the schedule's settings.
            var fired: [[String: Any]] = []
            let deadline = ContinuousClock.now + .seconds(20)
            while fired.count < 2 {
                try #require(ContinuousClock.now < deadline, "the schedule did not fire twice")
                try await Task.sleep(for: .milliseconds(200))
                fired = try await Self.reports({ try await rig.call("GET", $0) }, schedule: id)
            }
            let names = fired.compactMap { $0["name"] as? String }
            #expect(Set(names).count == names.count)
            #expect(fired.allSatisfy { $0["rtoTargetSeconds"] as? Int == 30 && $0["expiresAt"] is String })

            let (runStatus, operation) = try await rig.call("POST", "/v1/schedules/\(id)/run", headers: [("Idempotency-Key", "run-1")])
            #expect(runStatus == 202, "\(operation)")
            let runOperation = try #require(operation["id"] as? String)
            // The same key a second later (the drill's name carries the time) still replays.
            try await Task.sleep(for: .milliseconds(1100))
            let (replayStatus, replay) = try await rig.call("POST", "/v1/schedules/\(id)/run", headers: [("Idempotency-Key", "run-1")])
            #expect(replayStatus == 202 && replay["id"] as? String == runOperation, "\(replayStatus) \(replay)")

            let (deleteStatus, _) = try await rig.call("DELETE", "/v1/schedules/\(id)")
            #expect(deleteStatus == 204)
            let (goneStatus, _) = try await rig.call("GET", "/v1/schedules/\(id)")
            #expect(goneStatus == 404)
            // Every report names a distinct drill upstream, and no create was sent twice. A slot
            // that fired just before the delete may still be between its create and its report:
            // read both until they settle.
            var all: [[String: Any]] = []
            var creates = 0
            let settle = ContinuousClock.now + .seconds(10)
            repeat {
                creates = rig.simulator.requestLog.all.filter { $0.action == "createDrill" && $0.status == 200 }.count
                all = try await Self.reports({ try await rig.call("GET", $0) }, schedule: id)
                if creates == all.count { break }
                try await Task.sleep(for: .milliseconds(200))
            } while ContinuousClock.now < settle
            #expect(all.contains { ($0["operations"] as? [String])?.first == runOperation })
            #expect(creates == all.count, "\(creates) creates upstream for \(all.count) reports")
        }
    }
}

/// One drill per slot across `kill -9` and restart of a real `drgw serve`, and a slot missed
/// while it was down runs once when it is back.
@Suite("Drill schedules across kill -9 (real drgw serve process)", .serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: GatewayProcess.binary)))
struct ScheduleCrashTests {
    @Test("each slot fires once across kill -9 and restart; the missed slots run once")
    func slotsAcrossCrash() async throws {
        var options = SimulatorOptions(accessKey: "SCHEDCRASHAK000001", secretKey: "sched-secret-\(UUID().uuidString)", jobSeconds: 0.2)
        options.drillSeconds = 0.2
        let rig = try await CrashRecoveryTests.Rig.start(
            HuaweiSDRSPlugin.self, options: options, configExtra: "evidence:\n  scheduleTickSeconds: 0.1\n")
        defer { rig.stop() }
        let groupId = DrillEvidenceLiveTests.huaweiGroup
        let (status, schedule) = try await rig.call(
            "POST", "/v1/schedules",
            body: #"{"name":"crash","account":"acct","protectionGroupId":"\#(groupId)","cron":"*/2 * * * * *"}"#)
        try #require(status == 201, "\(schedule)")
        let id = try #require(schedule["id"] as? String)
        let call = { (path: String) in try await rig.call("GET", path) }

        var before: [[String: Any]] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while before.count < 2 {
            try #require(ContinuousClock.now < deadline, "no slots fired before the crash")
            try await Task.sleep(for: .milliseconds(100))
            before = try await ScheduleLiveTests.reports(call, schedule: id)
        }
        await rig.gateway.kill9()
        let down = Date()
        // The subject of the test: slots must pass while no gateway runs (every 2 s; 5 s covers two).
        try await Task.sleep(for: .seconds(5))
        let up = Date()
        try await rig.gateway.start(client: rig.client)

        var after: [[String: Any]] = []
        let afterDeadline = ContinuousClock.now + .seconds(30)
        while after.filter({ Self.slot($0).map { $0 > up } ?? false }).count < 2 {
            try #require(ContinuousClock.now < afterDeadline, "the schedule did not go on after the restart")
            try await Task.sleep(for: .milliseconds(100))
            after = try await ScheduleLiveTests.reports(call, schedule: id)
        }
        let slots = after.compactMap(Self.slot)
        #expect(slots.count == after.count, "every drill is named after its slot")
        #expect(Set(slots).count == slots.count, "a slot fired twice: \(slots)")
        // The slots that came while the gateway was down (after the last one fired before the
        // kill, up to the restart) make exactly one drill, started after the restart.
        let requested = { (report: [String: Any]) in Timestamp.parseRFC3339(report["requestedAt"] as? String ?? "") ?? .distantPast }
        let lastBefore = after.filter { requested($0) < down }.compactMap(Self.slot).max() ?? .distantPast
        let missed = after.filter { requested($0) > up && (Self.slot($0).map { $0 > lastBefore && $0 <= up } ?? false) }
        #expect(missed.count == 1, "drills for the downtime: \(missed.compactMap { $0["name"] }) (down \(down), up \(up))")
        #expect(up.timeIntervalSince(lastBefore) >= 4, "at least two slots passed while down")
        let creates = rig.simulator.requestLog.all.filter { $0.action == "createDrill" && $0.status == 200 }.count
        #expect(creates == after.count, "\(creates) creates upstream for \(after.count) reports")
        #expect(await rig.gateway.terminate() == 0)
    }

    /// The slot a scheduled drill is named after (`<schedule>-yyyyMMddTHHmmssZ`).
    static func slot(_ report: [String: Any]) -> Date? {
        guard let name = report["name"] as? String, let dash = name.lastIndex(of: "-") else { return nil }
        return Timestamp.parseBasicISO8601(String(name[name.index(after: dash)...]))
    }
}
