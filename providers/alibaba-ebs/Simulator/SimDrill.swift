import AlibabaEBS
import Foundation

/// A drill of the simulator.
struct SimDrill: Sendable {
    var id: String
    var ownerKind: SimReplica.Kind
    var ownerId: String
    var status: String
    var startAt: Int
    var recoverPoint: Int
    /// (pair id, drill disk id) per member.
    var disks: [(pairId: String, diskId: String)]
    var pendingStatus: String?
    var pendingAt: Date?
    /// Removed from the lists once clearing ends.
    var removeWhenDone = false
    /// Left out of the lists until then (a phantom delete's short absence).
    var hiddenUntil: Date?

    var diskStatus: String {
        switch status {
        case "executing": return "creating"
        case "executed": return "created"
        case "clearing": return "deleting"
        case "execute_failed": return "OperationDenied.CreateDiskFailed"
        default: return "created"
        }
    }
}
