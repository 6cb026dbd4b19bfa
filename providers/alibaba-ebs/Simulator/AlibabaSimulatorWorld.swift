import AlibabaEBS
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
    /// Seconds a drill takes to become `executed`.
    var drillSeconds: Double
    /// Seconds between completed replication cycles (the recovery point's lag).
    var cycleSeconds: Double = 120
    /// Clears report success but the drill comes back (fault mode).
    var phantomDeletes = false
    var idCounter = 0

    init(jobSeconds: Double, drillSeconds: Double? = nil) {
        self.jobSeconds = jobSeconds
        self.drillSeconds = drillSeconds ?? jobSeconds
    }

    /// The last recovery point of a replica that replicates continuously, at `now`: cycles start
    /// every `cycle` seconds and take a fifth of it to copy, so the point lags `now` by between
    /// 0.2 and 1.2 cycles, like a real asynchronous pair.
    static func recoveryPoint(at now: Date, cycle: Double) -> Int {
        let cycle = max(1, cycle)
        let completed = ((now.timeIntervalSince1970 - cycle * 0.2) / cycle).rounded(.down)
        return Int(completed * cycle)
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
        let point = Self.recoveryPoint(at: now, cycle: cycleSeconds)
        for id in order where ["normal", "syncing"].contains(replicas[id]?.status ?? "") {
            replicas[id]!.lastRecoverPoint = max(replicas[id]!.lastRecoverPoint ?? 0, point)
        }
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
            if drill.removeWhenDone && phantomDeletes {
                // The clear "succeeded", yet the drill is back after a short absence from the lists.
                drill.status = "executed"
                drill.removeWhenDone = false
                drill.pendingStatus = nil
                drill.pendingAt = nil
                drill.hiddenUntil = at.addingTimeInterval(3)
                drills[id] = drill
                continue
            }
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

    /// The seed: one group holding one pair, one pair outside any group, all `normal`.
    static func seeded(region: String, jobSeconds: Double, now: Date, options: SimulatorOptions? = nil) -> AlibabaSimulatorWorld {
        var world = AlibabaSimulatorWorld(jobSeconds: jobSeconds, drillSeconds: options?.drillSeconds)
        world.cycleSeconds = options?.replicationCycleSeconds ?? 120
        world.phantomDeletes = options?.phantomDeletes ?? false
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
