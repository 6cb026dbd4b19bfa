import DRGWCore
import Foundation

/// Everything the gateway keeps durably, behind one value: SQLite for one process, PostgreSQL for
/// several replicas sharing a database.
public protocol GatewayStore: IdempotencyStore, OperationStore, DrillReportStore, ScheduleStore {
    /// True when other gateway processes may share this store (a waiter must then look at the
    /// store itself: another replica may finish the operation it waits for).
    var isShared: Bool { get }
    /// Closes connections; the store is unusable afterwards.
    func close() async
}
