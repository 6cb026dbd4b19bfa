import DRGWCore
import Foundation

/// JSON shapes of the SDRS v1 API (snake_case on the wire; use `SDRSJSON` coders), shared by
/// the adapter (decoding) and the simulator (encoding). Optional fields tolerate the nulls and
/// omissions real answers contain.
public enum SDRSWire {
    /// A protection group (`ShowProtectionGroupParams`).
    public struct ServerGroup: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var description: String?
        public var status: String
        public var progress: Int?
        public var sourceAvailabilityZone: String?
        public var targetAvailabilityZone: String?
        public var domainId: String?
        public var domainName: String?
        public var priorityStation: String?
        public var protectedInstanceNum: Int?
        public var replicationNum: Int?
        public var disasterRecoveryDrillNum: Int?
        public var protectedStatus: String?
        public var replicationStatus: String?
        public var healthStatus: String?
        public var sourceVpcId: String?
        public var targetVpcId: String?
        public var testVpcId: String?
        public var drType: String?
        public var createdAt: String?
        public var updatedAt: String?
        public var protectionType: String?
        public var replicationModel: String?
        public var serverType: String?
    }

    /// `{"server_groups":[…],"count":n}`.
    public struct ServerGroupList: Codable, Sendable {
        public var serverGroups: [ServerGroup]
        public var count: Int?
    }

    /// `{"server_group":{…}}`.
    public struct ServerGroupEnvelope: Codable, Sendable {
        public var serverGroup: ServerGroup
    }

    /// One drill server of a drill.
    public struct DrillServer: Codable, Sendable, Equatable {
        public var protectedInstance: String?
        public var drillServerId: String?
    }

    /// A DR drill (`ShowDisasterRecoveryDrillParams`); times are `yyyy-MM-dd HH:mm:ss.SSS`.
    public struct DisasterRecoveryDrill: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var status: String
        public var drillVpcId: String?
        public var createdAt: String?
        public var updatedAt: String?
        public var serverGroupId: String?
        public var drillServers: [DrillServer]?
    }

    /// `{"disaster_recovery_drills":[…],"count":n}`.
    public struct DrillList: Codable, Sendable {
        public var disasterRecoveryDrills: [DisasterRecoveryDrill]
        public var count: Int?
    }

    /// `{"disaster_recovery_drill":{…}}`.
    public struct DrillEnvelope: Codable, Sendable {
        public var disasterRecoveryDrill: DisasterRecoveryDrill
    }

    /// `{"job_id":"…"}`, the answer of every async write.
    public struct JobReference: Codable, Sendable {
        public var jobId: String
    }

    /// Create bodies.
    public struct CreateServerGroupParams: Codable, Sendable {
        public var name: String
        public var description: String?
        public var sourceAvailabilityZone: String
        public var targetAvailabilityZone: String
        public var domainId: String
        public var sourceVpcId: String
        public var drType: String?
    }

    public struct CreateServerGroupBody: Codable, Sendable {
        public var serverGroup: CreateServerGroupParams
    }

    public struct CreateDrillParams: Codable, Sendable {
        public var serverGroupId: String
        public var name: String
        public var drillVpcId: String?
    }

    public struct CreateDrillBody: Codable, Sendable {
        public var disasterRecoveryDrill: CreateDrillParams
    }

    /// An active-active domain.
    public struct Domain: Codable, Sendable {
        public struct Cluster: Codable, Sendable {
            public var availabilityZone: String
        }
        public var id: String
        public var name: String
        public var description: String?
        public var soldOut: Bool
        public var localReplicationCluster: Cluster
        public var remoteReplicationCluster: Cluster
    }

    public struct DomainList: Codable, Sendable {
        public var domains: [Domain]
    }
}
