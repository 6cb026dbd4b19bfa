import DRGWCore
import PostgresNIO

/// A drill report's columns after `id`, in table order, as bound to a statement.
struct PostgresReportValues: Sendable {
    var tenant: String
    var account: String
    var protectionGroupId: String
    var drillId: String?
    var requestedAt: Double
    var readyAt: Double?
    var outcome: String
    var cleanupStatus: String
    var nextCheckAt: Double?
    var deleteAttempts: Int
    var scheduleId: String?
    var slot: Double?
    var body: String

    init(_ stored: StoredReport) throws {
        let r = stored.report
        tenant = stored.tenant
        account = r.account
        protectionGroupId = r.protectionGroupId
        drillId = r.drillId
        requestedAt = r.requestedAt.timeIntervalSince1970
        readyAt = r.readyAt?.timeIntervalSince1970
        outcome = r.outcome.rawValue
        cleanupStatus = r.cleanupStatus.rawValue
        nextCheckAt = stored.nextCheckAt?.timeIntervalSince1970
        deleteAttempts = stored.deleteAttempts
        scheduleId = r.scheduleId
        slot = stored.slot?.timeIntervalSince1970
        body = try EvidenceRecord.body(r)
    }

    /// Appends the 13 values, `$n` … `$n+12`.
    func append(to bindings: inout PostgresBindings) {
        bindings.append(tenant)
        bindings.append(account)
        bindings.append(protectionGroupId)
        bindings.append(drillId)
        bindings.append(requestedAt)
        bindings.append(readyAt)
        bindings.append(outcome)
        bindings.append(cleanupStatus)
        bindings.append(nextCheckAt)
        bindings.append(deleteAttempts)
        bindings.append(scheduleId)
        bindings.append(slot)
        bindings.append(body)
    }
}
