import AlibabaEBS
import Foundation

/// A replica pair or replica group of the simulator (one shape: groups and pairs share the status vocabulary).
struct SimReplica: Sendable {
    enum Kind: String, Sendable { case pair, group }

    var kind: Kind
    var id: String
    var name: String
    var description: String
    var status: String
    var sourceRegion: String
    var sourceZone: String
    var destinationRegion: String
    var destinationZone: String
    var primaryRegion: String
    var primaryZone: String
    var standbyRegion: String
    var standbyZone: String
    var sourceDiskId: String = ""
    var destinationDiskId: String = ""
    /// Pair: the group it belongs to. Group: unused.
    var groupId: String?
    /// Group: member pair ids.
    var pairIds: [String] = []
    var rpo: Int = 900
    var createTime: Int
    var lastRecoverPoint: Int?
    /// The status this replica moves to at `pendingAt` (lazy time-based transitions).
    var pendingStatus: String?
    var pendingAt: Date?
}
