import DRGWCore
import Foundation

/// A drill report as stored: the public report plus the sweeper's bookkeeping.
public struct StoredReport: Codable, Sendable, Equatable {
    /// The tenant whose request created the drill (cleanup deletes run in its name).
    public var tenant: String
    public var report: DrillReport
    /// When the sweeper should look at this report next; nil when there is nothing to do.
    public var nextCheckAt: Date?
    /// Deletes the sweeper started so far (each with its own Idempotency-Key).
    public var deleteAttempts: Int
    /// The schedule slot this drill fills, when a schedule started it.
    public var slot: Date?

    public init(tenant: String, report: DrillReport, nextCheckAt: Date? = nil, deleteAttempts: Int = 0, slot: Date? = nil) {
        self.tenant = tenant
        self.report = report
        self.nextCheckAt = nextCheckAt
        self.deleteAttempts = deleteAttempts
        self.slot = slot
    }
}

/// What a drill read shows of the gateway's own report: the name the drill was given and its expiry.
public struct DrillLabel: Sendable, Equatable {
    public var name: String
    public var expiresAt: Date?

    public init(name: String, expiresAt: Date? = nil) {
        self.name = name
        self.expiresAt = expiresAt
    }
}

/// A filter for listing reports, newest first.
public struct ReportQuery: Sendable {
    /// Only these accounts (the caller's); empty means none.
    public var accounts: [String]
    public var protectionGroupId: String?
    /// `requestedAt` at or after this.
    public var from: Date?
    /// `requestedAt` before this.
    public var to: Date?
    public var outcome: DrillOutcome?
    public var scheduleId: String?
    /// Opaque cursor from a previous page.
    public var cursor: String?
    public var limit: Int

    public init(
        accounts: [String], protectionGroupId: String? = nil, from: Date? = nil, to: Date? = nil, outcome: DrillOutcome? = nil,
        scheduleId: String? = nil, cursor: String? = nil, limit: Int = 50
    ) {
        self.accounts = accounts
        self.protectionGroupId = protectionGroupId
        self.from = from
        self.to = to
        self.outcome = outcome
        self.scheduleId = scheduleId
        self.cursor = cursor
        self.limit = limit
    }
}

/// The newest ready-and-not-failed drill of one protection group (for
/// `drgw_drill_last_success_timestamp_seconds`); `lastSuccess` is nil when it never had one.
public struct GroupSuccess: Sendable, Equatable {
    public var account: String
    public var protectionGroupId: String
    public var lastSuccess: Date?

    public init(account: String, protectionGroupId: String, lastSuccess: Date?) {
        self.account = account
        self.protectionGroupId = protectionGroupId
        self.lastSuccess = lastSuccess
    }
}

/// Durable drill reports. They are never purged: they are the evidence.
public protocol DrillReportStore: Sendable {
    /// Inserts a report; when one with its id exists already, the existing one stays (returns false).
    func insertReport(_ report: StoredReport) async throws -> Bool
    func report(id: String) async throws -> StoredReport?
    /// The newest report of a drill.
    func report(account: String, drillId: String) async throws -> StoredReport?
    /// The name and expiry from the newest report of a drill, without decoding the whole report
    /// (every drill read asks for them).
    func drillLabel(account: String, drillId: String) async throws -> DrillLabel?
    /// The newest report of each of these drills that has one.
    func reports(account: String, drillIds: [String]) async throws -> [StoredReport]
    /// The report a schedule's slot produced, if any.
    func report(scheduleId: String, slot: Date) async throws -> StoredReport?
    /// A page of reports, newest `requestedAt` first; `nextCursor` continues it.
    func listReports(_ query: ReportQuery) async throws -> Page<StoredReport>
    /// Reads, changes and writes one report atomically (no concurrent change is lost); nil when it
    /// does not exist. `change` must only mutate its argument: a store may run it again on a fresh
    /// read when another writer got there first.
    func updateReport(id: String, _ change: @escaping @Sendable (inout StoredReport) -> Void) async throws -> StoredReport?
    /// The same, starting from a report the caller read earlier: a store may first try the change
    /// on it (saving a read when the row has not changed since) and reads afresh when it has.
    func updateReport(_ read: StoredReport, _ change: @escaping @Sendable (inout StoredReport) -> Void) async throws -> StoredReport?
    /// Claims reports whose `nextCheckAt` has come, oldest first: each claimed row's next check
    /// moves `leaseSeconds` ahead in the same statement, so two gateways sharing a store do not
    /// work on one report at once.
    func claimDueReports(at now: Date, limit: Int, leaseSeconds: Double) async throws -> [StoredReport]
    /// Leftover drills per account.
    func leftoverCounts() async throws -> [String: Int]
    /// Per protection group with any report: the newest `readyAt` of a drill not `failed`.
    func groupSuccesses() async throws -> [GroupSuccess]
}

extension DrillReportStore {
    public func updateReport(_ read: StoredReport, _ change: @escaping @Sendable (inout StoredReport) -> Void) async throws -> StoredReport? {
        try await updateReport(id: read.report.id, change)
    }
}
