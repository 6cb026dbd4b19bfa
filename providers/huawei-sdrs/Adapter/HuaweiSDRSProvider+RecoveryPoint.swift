import DRGWCore
import Foundation

extension HuaweiSDRSProvider {
    /// SDRS replicates synchronously (`hypermetro`, the SDK's default replication model): while
    /// every pair of the group is `active` (in sync), a drill loses nothing, RPO 0. The group's
    /// pairs are read when the drill is ready. SDRS also keeps RPO exceedance records
    /// (`resource/rpo-statistics`, counts of pairs over their RPO per minute); when it has any for
    /// the hour before the drill, or a pair is not in sync, no figure can be given and the basis
    /// says why. Regions without the statistics API (404/501) fall back to the pairs alone.
    public func recoveryPoint(ofDrill drillId: String, protectionGroupId: String, drillStartedAt: Date, context: CallContext)
        async throws -> RecoveryPointEstimate
    {
        try check(id: protectionGroupId, field: "protectionGroupId")
        let response = try await call(
            "GET", "/replications", query: [("server_group_id", protectionGroupId), ("limit", "1000")], write: false, context: context)
        let pairs = try decode(SDRSWire.ReplicationList.self, from: response).replications
            .filter { $0.serverGroupId == nil || $0.serverGroupId == protectionGroupId }
        guard !pairs.isEmpty else {
            return RecoveryPointEstimate(rpoSeconds: nil, basis: "the protection group has no replication pairs")
        }
        if let pair = pairs.first(where: { ($0.replicationModel ?? "hypermetro") != "hypermetro" }) {
            return RecoveryPointEstimate(
                rpoSeconds: nil, basis: "replication pair \(pair.id) uses \(pair.replicationModel ?? "?") replication, not synchronous")
        }
        if let pair = pairs.first(where: { $0.replicationStatus != "active" }) {
            return RecoveryPointEstimate(
                rpoSeconds: nil,
                basis: "replication pair \(pair.id) was \(pair.replicationStatus ?? "of unknown state"), not in sync, when the drill was ready")
        }
        let start = SDRSJSON.drillTime(drillStartedAt.addingTimeInterval(-3600))
        let end = SDRSJSON.drillTime(drillStartedAt)
        do {
            let stats = try await call(
                "GET", "/resource/rpo-statistics",
                query: [("resource_type", "replication"), ("start_time", start), ("end_time", end), ("limit", "1000")], write: false,
                context: context)
            let over = try decode(SDRSWire.RPOStatisticList.self, from: stats).resourceRpoStatistics.filter { $0.resourceNum > 0 }
            if let worst = over.max(by: { $0.resourceNum < $1.resourceNum }) {
                return RecoveryPointEstimate(
                    rpoSeconds: nil,
                    basis: "SDRS counted \(worst.resourceNum) replication pair(s) over their RPO at \(worst.pointTime) UTC, within the hour before the drill")
            }
        } catch let problem as Problem where problem.hasCode(.notFound) || problem.hasCode(.notSupported) {
            // No statistics in this region: the pairs' state is all there is.
        }
        return RecoveryPointEstimate(
            rpoSeconds: 0, basis: "synchronous (hypermetro) replication, all \(pairs.count) pair(s) active; no RPO exceedance recorded")
    }
}
