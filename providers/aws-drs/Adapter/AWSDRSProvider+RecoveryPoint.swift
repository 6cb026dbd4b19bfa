import DRGWCore
import Foundation

extension AWSDRSProvider {
    /// DRS replicates continuously and reports each source server's replication lag
    /// (`dataReplicationInfo.lagDuration`). While every server of the group is `CONTINUOUS`, the
    /// largest lag is what a drill started now would lose; any other state gives no figure.
    public func recoveryPoint(ofDrill drillId: String, protectionGroupId: String, drillStartedAt: Date, context: CallContext)
        async throws -> RecoveryPointEstimate
    {
        let arn = try await planArn(of: protectionGroupId, context: context)
        let ids = try await sourceServerIds(ofPlan: arn, context: context)
        guard !ids.isEmpty else {
            return RecoveryPointEstimate(rpoSeconds: nil, basis: "the protection group has no source servers")
        }
        let servers = try await describeSourceServers(ids: ids, context: context)
        var worst = 0
        for server in servers {
            let info = server.dataReplicationInfo
            guard info?.dataReplicationState == "CONTINUOUS" else {
                return RecoveryPointEstimate(
                    rpoSeconds: nil,
                    basis: "source server \(server.sourceServerID ?? "?") replication was \(info?.dataReplicationState ?? "of unknown state"), not continuous, when the drill was ready")
            }
            guard let lag = info?.lagDuration, let seconds = try? ISO8601Duration(parsing: lag).seconds else {
                return RecoveryPointEstimate(
                    rpoSeconds: nil, basis: "source server \(server.sourceServerID ?? "?") reports no replication lag")
            }
            worst = max(worst, seconds)
        }
        return RecoveryPointEstimate(
            rpoSeconds: Double(worst),
            basis: "continuous replication of \(servers.count) source server(s); the largest replication lag DRS reported was \(worst) s")
    }
}
