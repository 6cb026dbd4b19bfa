import Foundation

extension SDRSWire {
    /// A replication pair (`ShowReplicationParams`, the fields drill evidence reads).
    public struct Replication: Codable, Sendable, Equatable {
        public var id: String
        public var name: String?
        public var status: String?
        public var serverGroupId: String?
        /// `hypermetro` (the default) is synchronous replication.
        public var replicationModel: String?
        /// `active` (in sync), `inactive`, `copying`, `active-stopped`.
        public var replicationStatus: String?
        public var progress: Int?
        public var faultLevel: String?

        public init(
            id: String, name: String?, status: String?, serverGroupId: String?, replicationModel: String?, replicationStatus: String?,
            progress: Int?, faultLevel: String?
        ) {
            self.id = id
            self.name = name
            self.status = status
            self.serverGroupId = serverGroupId
            self.replicationModel = replicationModel
            self.replicationStatus = replicationStatus
            self.progress = progress
            self.faultLevel = faultLevel
        }

        enum CodingKeys: String, CodingKey {
            case id, name, status, progress
            case serverGroupId = "server_group_id"
            case replicationModel = "replication_model"
            case replicationStatus = "replication_status"
            case faultLevel = "fault_level"
        }
    }

    /// `GET /v1/{project_id}/replications`.
    public struct ReplicationList: Codable, Sendable {
        public var replications: [Replication]
        public var count: Int?

        public init(replications: [Replication], count: Int?) {
            self.replications = replications
            self.count = count
        }
    }

    /// One RPO exceedance record (`RpoStattisticsParams`): how many pairs were over their RPO at a point in time.
    public struct RPOStatistic: Codable, Sendable, Equatable {
        public var id: String
        /// `yyyy-MM-dd HH:mm`.
        public var pointTime: String
        public var resourceNum: Int
        public var resourceType: String
        public var createdAt: String?
        public var updatedAt: String?

        public init(id: String, pointTime: String, resourceNum: Int, resourceType: String, createdAt: String?, updatedAt: String?) {
            self.id = id
            self.pointTime = pointTime
            self.resourceNum = resourceNum
            self.resourceType = resourceType
            self.createdAt = createdAt
            self.updatedAt = updatedAt
        }

        enum CodingKeys: String, CodingKey {
            case id
            case pointTime = "point_time"
            case resourceNum = "resource_num"
            case resourceType = "resource_type"
            case createdAt = "created_at"
            case updatedAt = "updated_at"
        }
    }

    /// `GET /v1/{project_id}/resource/rpo-statistics`.
    public struct RPOStatisticList: Codable, Sendable {
        public var resourceRpoStatistics: [RPOStatistic]
        public var count: Int?

        public init(resourceRpoStatistics: [RPOStatistic], count: Int?) {
            self.resourceRpoStatistics = resourceRpoStatistics
            self.count = count
        }

        enum CodingKeys: String, CodingKey {
            case resourceRpoStatistics = "resource_rpo_statistics"
            case count
        }
    }
}
