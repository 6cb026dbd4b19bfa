import DRGWCore
import DRGWStore
import Foundation
import Testing

@Suite("Evidence store: reports and schedules (SQLite and PostgreSQL)")
struct EvidenceStoreTests {
    static func report(_ id: String, at seconds: Double, group: String = "g1") -> StoredReport {
        var report = DrillReport(
            id: id, account: "a1", provider: "p", protectionGroupId: group, name: "n-\(id)",
            requestedAt: Date(timeIntervalSince1970: seconds))
        report.drillId = "drill-\(id)"
        return StoredReport(tenant: "t", report: report)
    }

    @Test("insert keeps the first report; pages newest first with filters; claims lease due reports once", arguments: StoreBackend.all)
    func reports(backend: StoreBackend) async throws {
        let location = try await backend.makeLocation()
        defer { Task { await backend.remove(location) } }
        let store = try await backend.open(location)
        for i in 0..<5 { #expect(try await store.insertReport(Self.report("op\(i)", at: 1000 + Double(i), group: i < 3 ? "g1" : "g2"))) }
        #expect(try await store.insertReport(Self.report("op0", at: 5)) == false)
        #expect(try await store.report(id: "op0")?.report.requestedAt == Date(timeIntervalSince1970: 1000))

        let first = try await store.listReports(ReportQuery(accounts: ["a1"], limit: 2))
        #expect(first.items.map(\.report.id) == ["op4", "op3"])
        let second = try await store.listReports(ReportQuery(accounts: ["a1"], cursor: first.nextCursor, limit: 2))
        #expect(second.items.map(\.report.id) == ["op2", "op1"])
        let filtered = try await store.listReports(
            ReportQuery(accounts: ["a1"], protectionGroupId: "g1", from: Date(timeIntervalSince1970: 1001), to: Date(timeIntervalSince1970: 1002)))
        #expect(filtered.items.map(\.report.id) == ["op1"])
        #expect(try await store.listReports(ReportQuery(accounts: ["other"])).items.isEmpty)
        await #expect(throws: StoreCursorError.self) { try await store.listReports(ReportQuery(accounts: ["a1"], cursor: "bogus")) }

        _ = try await store.updateReport(id: "op1") { $0.nextCheckAt = Date(timeIntervalSince1970: 50); $0.report.outcome = .failed }
        let claimed = try await store.claimDueReports(at: Date(timeIntervalSince1970: 60), limit: 10, leaseSeconds: 30)
        #expect(claimed.map(\.report.id) == ["op1"])
        #expect(try await store.claimDueReports(at: Date(timeIntervalSince1970: 61), limit: 10, leaseSeconds: 30).isEmpty)
        #expect(try await store.report(account: "a1", drillId: "drill-op1")?.report.outcome == .failed)
        // A drill read's label comes from the newest report of the drill.
        #expect(try await store.drillLabel(account: "a1", drillId: "drill-op1") == DrillLabel(name: "n-op1"))
        let expiry = Date(timeIntervalSince1970: 1_700_000_000.25)
        var renamed = Self.report("op9", at: 2000)
        renamed.report.drillId = "drill-op1"
        renamed.report.name = "renamed"
        renamed.report.expiresAt = expiry
        #expect(try await store.insertReport(renamed))
        #expect(try await store.drillLabel(account: "a1", drillId: "drill-op1") == DrillLabel(name: "renamed", expiresAt: expiry))
        #expect(try await store.drillLabel(account: "other", drillId: "drill-op1") == nil)
        #expect(try await store.drillLabel(account: "a1", drillId: "drill-none") == nil)

        _ = try await store.updateReport(id: "op4") { $0.report.readyAt = Date(timeIntervalSince1970: 1010); $0.report.cleanupStatus = .leftover }
        let successes = try await store.groupSuccesses()
        #expect(successes.first { $0.protectionGroupId == "g2" }?.lastSuccess == Date(timeIntervalSince1970: 1010))
        #expect(successes.first { $0.protectionGroupId == "g1" }?.lastSuccess == nil)
        #expect(try await store.leftoverCounts() == ["a1": 1])
        await store.close()
    }

    /// Read-modify-write under contention: updates of one report from two store instances (two
    /// replicas) at once, while the sweeper's claim moves its check time, lose nothing.
    @Test("concurrent report updates from two replicas lose no change", arguments: StoreBackend.all)
    func concurrentUpdates(backend: StoreBackend) async throws {
        let location = try await backend.makeLocation()
        defer { Task { await backend.remove(location) } }
        let one = try await backend.open(location)
        let two = try await backend.open(location)
        #expect(try await one.insertReport(Self.report("op1", at: 1000)))
        let writers = 24
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<writers {
                let store = i.isMultiple(of: 2) ? one : two
                group.addTask {
                    let updated = try await store.updateReport(id: "op1") { current in
                        current.report.findings.append("finding \(i)")
                        current.deleteAttempts += 1
                        current.nextCheckAt = Date(timeIntervalSince1970: 10)
                    }
                    #expect(updated?.report.findings.contains("finding \(i)") == true)
                }
            }
            group.addTask { _ = try await one.claimDueReports(at: Date(timeIntervalSince1970: 20), limit: 10, leaseSeconds: 30) }
            try await group.waitForAll()
        }
        let final = try #require(try await two.report(id: "op1"))
        #expect(Set(final.report.findings) == Set((0..<writers).map { "finding \($0)" }))
        #expect(final.deleteAttempts == writers)
        #expect(try await one.updateReport(id: "missing") { $0.deleteAttempts = 1 } == nil)
        await one.close()
        await two.close()
    }

    /// An update that starts from the caller's earlier read: applied on it when the row is as read,
    /// on a fresh read when someone changed it in between (nothing lost either way).
    @Test("an update from an earlier read keeps changes made since", arguments: StoreBackend.all)
    func updateFromEarlierRead(backend: StoreBackend) async throws {
        let location = try await backend.makeLocation()
        defer { Task { await backend.remove(location) } }
        let store = try await backend.open(location)
        var report = Self.report("op1", at: 1_765_000_000.123_456)
        report.nextCheckAt = Date(timeIntervalSince1970: 1_765_000_100.5)
        report.slot = Date(timeIntervalSince1970: 1_765_000_000)
        report.report.readyAt = Date(timeIntervalSince1970: 1_765_000_050.25)
        #expect(try await store.insertReport(report))
        let read = try #require(try await store.report(id: "op1"))
        let first = try await store.updateReport(read) { $0.report.findings.append("first") }
        #expect(first?.report.findings == ["first"])

        let stale = try #require(try await store.report(id: "op1"))
        _ = try await store.updateReport(id: "op1") { $0.report.findings.append("in between"); $0.deleteAttempts = 2 }
        let last = try await store.updateReport(stale) { $0.report.findings.append("last") }
        #expect(last?.report.findings == ["first", "in between", "last"])
        #expect(last?.deleteAttempts == 2)
        let stored = try #require(try await store.report(id: "op1"))
        #expect(stored.report.findings == ["first", "in between", "last"])
        #expect(stored.report.requestedAt == report.report.requestedAt && stored.slot == report.slot)
        await store.close()
    }

    @Test("a schedule moves past a slot once; other tenants do not see it", arguments: StoreBackend.all)
    func schedules(backend: StoreBackend) async throws {
        let location = try await backend.makeLocation()
        defer { Task { await backend.remove(location) } }
        let store = try await backend.open(location)
        var schedule = Schedule(
            id: "sch_1", name: "nightly", account: "a1", protectionGroupId: "g1", cron: "0 2 * * *", timezone: "UTC", enabled: true,
            createdAt: Date(timeIntervalSince1970: 10))
        let slot = Date(timeIntervalSince1970: 7200)
        schedule.nextRunAt = slot
        try await store.insertSchedule(StoredSchedule(tenant: "t", schedule: schedule))
        #expect(try await store.schedule(id: "sch_1", tenant: "other") == nil)
        #expect(try await store.dueSchedules(at: Date(timeIntervalSince1970: 7199), limit: 10).isEmpty)
        #expect(try await store.dueSchedules(at: slot, limit: 10).map(\.schedule.id) == ["sch_1"])
        let next = Date(timeIntervalSince1970: 7200 + 86_400)
        #expect(try await store.advanceSchedule(id: "sch_1", from: slot, to: next, lastRunAt: slot, lastOperationId: "op_a", lastError: nil))
        #expect(try await store.advanceSchedule(id: "sch_1", from: slot, to: next, lastRunAt: slot, lastOperationId: "op_b", lastError: nil) == false)
        let stored = try #require(try await store.schedule(id: "sch_1", tenant: "t"))
        #expect(stored.schedule.nextRunAt == next)
        #expect(stored.schedule.lastOperationId == "op_a")
        #expect(try await store.schedules(tenant: "t", cursor: nil, limit: 10).items.count == 1)
        #expect(try await store.deleteSchedule(id: "sch_1", tenant: "other") == false)
        #expect(try await store.deleteSchedule(id: "sch_1", tenant: "t"))
        await store.close()
    }
}
