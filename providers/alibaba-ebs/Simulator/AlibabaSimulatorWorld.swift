import DRGWCore
import Foundation

/// The simulator's resources and their state machines. Not thread-safe: the simulator keeps it in a `Mutex`.
struct AlibabaSimulatorWorld: Sendable {
    var replicas: [String: SimReplica] = [:]
    /// Creation order, for stable listing and paging.
    var order: [String] = []
    var drills: [String: SimDrill] = [:]
    var drillOrder: [String] = []
    var jobSeconds: Double
    var idCounter = 0

    init(jobSeconds: Double) {
        self.jobSeconds = jobSeconds
    }

    mutating func newId(_ prefix: String) -> String {
        idCounter += 1
        let random = UInt32.random(in: 0...UInt32.max)
        return prefix + String(format: "%08x%04x", random, idCounter & 0xFFFF)
    }

    mutating func insert(_ replica: SimReplica) {
        replicas[replica.id] = replica
        order.append(replica.id)
    }

    /// Applies every transition whose time has come.
    mutating func advance(now: Date) {
        for id in order {
            guard var replica = replicas[id], let next = replica.pendingStatus, let at = replica.pendingAt, at <= now else { continue }
            replica.pendingStatus = nil
            replica.pendingAt = nil
            if next == "deleted" {
                replicas[id] = nil
                order.removeAll { $0 == id }
                if let groupId = replica.groupId { replicas[groupId]?.pairIds.removeAll { $0 == id } }
                continue
            }
            if next == "normal" || (next == "stopped" && replica.status == "manual_syncing") {
                replica.lastRecoverPoint = Int(at.timeIntervalSince1970)
            }
            replica.status = next
            replicas[id] = replica
        }
        for id in drillOrder {
            guard var drill = drills[id], let next = drill.pendingStatus, let at = drill.pendingAt, at <= now else { continue }
            if drill.removeWhenDone {
                drills[id] = nil
                drillOrder.removeAll { $0 == id }
                continue
            }
            drill.status = next
            drill.pendingStatus = nil
            drill.pendingAt = nil
            drills[id] = drill
        }
    }

    /// Moves a replica (and, for a group, its member pairs) to `now` at once and `then` after `jobSeconds`.
    mutating func transition(_ id: String, now: String, then: String, at date: Date) {
        let members = replicas[id]?.kind == .group ? replicas[id]!.pairIds : []
        for target in [id] + members {
            replicas[target]?.status = now
            replicas[target]?.pendingStatus = then
            replicas[target]?.pendingAt = date.addingTimeInterval(jobSeconds)
        }
    }

    /// The seed of contract §6: one group holding one pair, one pair outside any group, all `normal`.
    static func seeded(region: String, jobSeconds: Double, now: Date) -> AlibabaSimulatorWorld {
        var world = AlibabaSimulatorWorld(jobSeconds: jobSeconds)
        let destination = region == "cn-hangzhou" ? "cn-shanghai" : "cn-hangzhou"
        let sourceZone = "\(region)-b"
        let destinationZone = "\(destination)-h"
        let created = Int(now.timeIntervalSince1970) - 86_400
        let recoverPoint = Int(now.timeIntervalSince1970) - 300
        func replica(_ kind: SimReplica.Kind, _ id: String, _ name: String, group: String?) -> SimReplica {
            SimReplica(
                kind: kind, id: id, name: name, description: "seeded by the drgw simulator", status: "normal",
                sourceRegion: region, sourceZone: sourceZone, destinationRegion: destination, destinationZone: destinationZone,
                primaryRegion: region, primaryZone: sourceZone, standbyRegion: destination, standbyZone: destinationZone,
                sourceDiskId: kind == .pair ? "d-\(id.suffix(12))src" : "", destinationDiskId: kind == .pair ? "d-\(id.suffix(12))dst" : "",
                groupId: group, createTime: created, lastRecoverPoint: recoverPoint)
        }
        var group = replica(.group, AlibabaEBSSimulator.seedGroupId, "seed-group", group: nil)
        group.pairIds = [AlibabaEBSSimulator.seedGroupPairId]
        world.insert(group)
        world.insert(replica(.pair, AlibabaEBSSimulator.seedGroupPairId, "seed-group-pair", group: group.id))
        world.insert(replica(.pair, AlibabaEBSSimulator.seedPairId, "seed-pair", group: nil))
        return world
    }
}
