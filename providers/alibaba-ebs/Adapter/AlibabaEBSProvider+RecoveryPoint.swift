import DRGWCore
import Foundation

extension AlibabaEBSProvider {
    /// EBS async replication copies in cycles; a drill disk is made from the pair's last completed
    /// recovery point. `Describe*Drills` returns that point (`RecoverPoint`) and the drill's
    /// `StartAt`, so RPO = StartAt − RecoverPoint. Without them (older answers), the pair's or
    /// group's `LastRecoverPoint` against the time the gateway asked for the drill stands in.
    public func recoveryPoint(ofDrill drillId: String, protectionGroupId: String, drillStartedAt: Date, context: CallContext)
        async throws -> RecoveryPointEstimate
    {
        guard let ref = DrillRef(opaqueId: drillId) else { throw Problem.notFound("Drill \(drillId)") }
        if let wire = try await findDrill(ref, context: context), let point = wire.RecoverPoint, point > 0 {
            let start = wire.StartAt.flatMap { $0 > 0 ? Date(timeIntervalSince1970: TimeInterval($0)) : nil } ?? drillStartedAt
            let recovery = Date(timeIntervalSince1970: TimeInterval(point))
            return RecoveryPointEstimate(
                rpoSeconds: DrillVerdict.rpoSeconds(recoveryPoint: recovery, drillStart: start),
                basis: "drill recovery point \(Timestamp.rfc3339(recovery)) against the drill's start \(Timestamp.rfc3339(start)) (\(ref.kind.rawValue) \(ref.ownerId))")
        }
        let last: Int?
        if ref.kind == .group {
            last = try await describeGroup(ref.ownerId, context: context)?.LastRecoverPoint
        } else {
            last = try await describePair(ref.ownerId, context: context)?.LastRecoverPoint
        }
        guard let last, last > 0 else {
            return RecoveryPointEstimate(rpoSeconds: nil, basis: "\(ref.kind.rawValue) \(ref.ownerId) reports no recovery point")
        }
        let recovery = Date(timeIntervalSince1970: TimeInterval(last))
        return RecoveryPointEstimate(
            rpoSeconds: DrillVerdict.rpoSeconds(recoveryPoint: recovery, drillStart: drillStartedAt),
            basis: "last recovery point \(Timestamp.rfc3339(recovery)) of \(ref.kind.rawValue) \(ref.ownerId) against the drill request")
    }
}
