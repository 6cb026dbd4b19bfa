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

        enum CodingKeys: String, CodingKey {
            case id
            case name
            case description
            case status
            case progress
            case sourceAvailabilityZone = "source_availability_zone"
            case targetAvailabilityZone = "target_availability_zone"
            case domainId = "domain_id"
            case domainName = "domain_name"
            case priorityStation = "priority_station"
            case protectedInstanceNum = "protected_instance_num"
            case replicationNum = "replication_num"
            case disasterRecoveryDrillNum = "disaster_recovery_drill_num"
            case protectedStatus = "protected_status"
            case replicationStatus = "replication_status"
            case healthStatus = "health_status"
            case sourceVpcId = "source_vpc_id"
            case targetVpcId = "target_vpc_id"
            case testVpcId = "test_vpc_id"
            case drType = "dr_type"
            case createdAt = "created_at"
            case updatedAt = "updated_at"
            case protectionType = "protection_type"
            case replicationModel = "replication_model"
            case serverType = "server_type"
        }

        public init(
            id: String,
            name: String,
            description: String? = nil,
            status: String,
            progress: Int? = nil,
            sourceAvailabilityZone: String? = nil,
            targetAvailabilityZone: String? = nil,
            domainId: String? = nil,
            domainName: String? = nil,
            priorityStation: String? = nil,
            protectedInstanceNum: Int? = nil,
            replicationNum: Int? = nil,
            disasterRecoveryDrillNum: Int? = nil,
            protectedStatus: String? = nil,
            replicationStatus: String? = nil,
            healthStatus: String? = nil,
            sourceVpcId: String? = nil,
            targetVpcId: String? = nil,
            testVpcId: String? = nil,
            drType: String? = nil,
            createdAt: String? = nil,
            updatedAt: String? = nil,
            protectionType: String? = nil,
            replicationModel: String? = nil,
            serverType: String? = nil
        ) {
            self.id = id
            self.name = name
            self.description = description
            self.status = status
            self.progress = progress
            self.sourceAvailabilityZone = sourceAvailabilityZone
            self.targetAvailabilityZone = targetAvailabilityZone
            self.domainId = domainId
            self.domainName = domainName
            self.priorityStation = priorityStation
            self.protectedInstanceNum = protectedInstanceNum
            self.replicationNum = replicationNum
            self.disasterRecoveryDrillNum = disasterRecoveryDrillNum
            self.protectedStatus = protectedStatus
            self.replicationStatus = replicationStatus
            self.healthStatus = healthStatus
            self.sourceVpcId = sourceVpcId
            self.targetVpcId = targetVpcId
            self.testVpcId = testVpcId
            self.drType = drType
            self.createdAt = createdAt
            self.updatedAt = updatedAt
            self.protectionType = protectionType
            self.replicationModel = replicationModel
            self.serverType = serverType
        }
    }

    /// `{"server_groups":[…],"count":n}`.
    public struct ServerGroupList: Codable, Sendable {
        public var serverGroups: [ServerGroup]
        public var count: Int?

        enum CodingKeys: String, CodingKey {
            case serverGroups = "server_groups"
            case count
        }

        public init(serverGroups: [ServerGroup], count: Int? = nil) {
            self.serverGroups = serverGroups
            self.count = count
        }
    }

    /// `{"server_group":{…}}`.
    public struct ServerGroupEnvelope: Codable, Sendable {
        public var serverGroup: ServerGroup

        enum CodingKeys: String, CodingKey {
            case serverGroup = "server_group"
        }

        public init(serverGroup: ServerGroup) {
            self.serverGroup = serverGroup
        }
    }

    /// One drill server of a drill.
    public struct DrillServer: Codable, Sendable, Equatable {
        public var protectedInstance: String?
        public var drillServerId: String?

        enum CodingKeys: String, CodingKey {
            case protectedInstance = "protected_instance"
            case drillServerId = "drill_server_id"
        }

        public init(protectedInstance: String? = nil, drillServerId: String? = nil) {
            self.protectedInstance = protectedInstance
            self.drillServerId = drillServerId
        }
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

        enum CodingKeys: String, CodingKey {
            case id
            case name
            case status
            case drillVpcId = "drill_vpc_id"
            case createdAt = "created_at"
            case updatedAt = "updated_at"
            case serverGroupId = "server_group_id"
            case drillServers = "drill_servers"
        }

        public init(
            id: String,
            name: String,
            status: String,
            drillVpcId: String? = nil,
            createdAt: String? = nil,
            updatedAt: String? = nil,
            serverGroupId: String? = nil,
            drillServers: [DrillServer]? = nil
        ) {
            self.id = id
            self.name = name
            self.status = status
            self.drillVpcId = drillVpcId
            self.createdAt = createdAt
            self.updatedAt = updatedAt
            self.serverGroupId = serverGroupId
            self.drillServers = drillServers
        }
    }

    /// `{"disaster_recovery_drills":[…],"count":n}`.
    public struct DrillList: Codable, Sendable {
        public var disasterRecoveryDrills: [DisasterRecoveryDrill]
        public var count: Int?

        enum CodingKeys: String, CodingKey {
            case disasterRecoveryDrills = "disaster_recovery_drills"
            case count
        }

        public init(disasterRecoveryDrills: [DisasterRecoveryDrill], count: Int? = nil) {
            self.disasterRecoveryDrills = disasterRecoveryDrills
            self.count = count
        }
    }

    /// `{"disaster_recovery_drill":{…}}`.
    public struct DrillEnvelope: Codable, Sendable {
        public var disasterRecoveryDrill: DisasterRecoveryDrill

        enum CodingKeys: String, CodingKey {
            case disasterRecoveryDrill = "disaster_recovery_drill"
        }

        public init(disasterRecoveryDrill: DisasterRecoveryDrill) {
            self.disasterRecoveryDrill = disasterRecoveryDrill
        }
    }

    /// `{"job_id":"…"}`, the answer of every async write.
    public struct JobReference: Codable, Sendable {
        public var jobId: String

        enum CodingKeys: String, CodingKey {
            case jobId = "job_id"
        }

        public init(jobId: String) {
            self.jobId = jobId
        }
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

        enum CodingKeys: String, CodingKey {
            case name
            case description
            case sourceAvailabilityZone = "source_availability_zone"
            case targetAvailabilityZone = "target_availability_zone"
            case domainId = "domain_id"
            case sourceVpcId = "source_vpc_id"
            case drType = "dr_type"
        }

        public init(
            name: String,
            description: String? = nil,
            sourceAvailabilityZone: String,
            targetAvailabilityZone: String,
            domainId: String,
            sourceVpcId: String,
            drType: String? = nil
        ) {
            self.name = name
            self.description = description
            self.sourceAvailabilityZone = sourceAvailabilityZone
            self.targetAvailabilityZone = targetAvailabilityZone
            self.domainId = domainId
            self.sourceVpcId = sourceVpcId
            self.drType = drType
        }
    }

    public struct CreateServerGroupBody: Codable, Sendable {
        public var serverGroup: CreateServerGroupParams

        enum CodingKeys: String, CodingKey {
            case serverGroup = "server_group"
        }

        public init(serverGroup: CreateServerGroupParams) {
            self.serverGroup = serverGroup
        }
    }

    public struct CreateDrillParams: Codable, Sendable {
        public var serverGroupId: String
        public var name: String
        public var drillVpcId: String?

        enum CodingKeys: String, CodingKey {
            case serverGroupId = "server_group_id"
            case name
            case drillVpcId = "drill_vpc_id"
        }

        public init(serverGroupId: String, name: String, drillVpcId: String? = nil) {
            self.serverGroupId = serverGroupId
            self.name = name
            self.drillVpcId = drillVpcId
        }
    }

    public struct CreateDrillBody: Codable, Sendable {
        public var disasterRecoveryDrill: CreateDrillParams

        enum CodingKeys: String, CodingKey {
            case disasterRecoveryDrill = "disaster_recovery_drill"
        }

        public init(disasterRecoveryDrill: CreateDrillParams) {
            self.disasterRecoveryDrill = disasterRecoveryDrill
        }
    }

    /// An active-active domain.
    public struct Domain: Codable, Sendable {
        public struct Cluster: Codable, Sendable {
            public var availabilityZone: String

            enum CodingKeys: String, CodingKey {
                case availabilityZone = "availability_zone"
            }

            public init(availabilityZone: String) {
                self.availabilityZone = availabilityZone
            }
        }
        public var id: String
        public var name: String
        public var description: String?
        public var soldOut: Bool
        public var localReplicationCluster: Cluster
        public var remoteReplicationCluster: Cluster

        enum CodingKeys: String, CodingKey {
            case id
            case name
            case description
            case soldOut = "sold_out"
            case localReplicationCluster = "local_replication_cluster"
            case remoteReplicationCluster = "remote_replication_cluster"
        }

        public init(
            id: String,
            name: String,
            description: String? = nil,
            soldOut: Bool,
            localReplicationCluster: Cluster,
            remoteReplicationCluster: Cluster
        ) {
            self.id = id
            self.name = name
            self.description = description
            self.soldOut = soldOut
            self.localReplicationCluster = localReplicationCluster
            self.remoteReplicationCluster = remoteReplicationCluster
        }
    }

    public struct DomainList: Codable, Sendable {
        public var domains: [Domain]

        enum CodingKeys: String, CodingKey {
            case domains
        }

        public init(domains: [Domain]) {
            self.domains = domains
        }
    }
}
