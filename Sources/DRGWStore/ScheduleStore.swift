import DRGWCore
import Foundation

/// A schedule as stored: the public schedule and the tenant that owns it.
public struct StoredSchedule: Codable, Sendable, Equatable {
    public var tenant: String
    public var schedule: Schedule

    public init(tenant: String, schedule: Schedule) {
        self.tenant = tenant
        self.schedule = schedule
    }
}

/// Durable drill schedules. `advanceSchedule` is a compare-and-set on the slot, so that when
/// several gateways share the store exactly one of them moves a schedule past a slot.
public protocol ScheduleStore: Sendable {
    func insertSchedule(_ schedule: StoredSchedule) async throws
    /// The schedule, only when it belongs to `tenant`.
    func schedule(id: String, tenant: String) async throws -> StoredSchedule?
    /// A page of the tenant's schedules, oldest first.
    func schedules(tenant: String, cursor: String?, limit: Int) async throws -> Page<StoredSchedule>
    /// Deletes the tenant's schedule; false when there was none.
    func deleteSchedule(id: String, tenant: String) async throws -> Bool
    /// Enabled schedules whose `nextRunAt` has come, oldest slot first.
    func dueSchedules(at now: Date, limit: Int) async throws -> [StoredSchedule]
    /// Moves a schedule from `slot` to `next` and records the run, only while its `nextRunAt` is
    /// still `slot`; false when another writer moved it first (or it is gone).
    func advanceSchedule(
        id: String, from slot: Date, to next: Date?, lastRunAt: Date, lastOperationId: String?, lastError: String?
    ) async throws -> Bool
    /// Records a run outside the schedule's slots (`POST …/run`).
    func recordScheduleRun(id: String, at: Date, operationId: String?, error: String?) async throws
}
