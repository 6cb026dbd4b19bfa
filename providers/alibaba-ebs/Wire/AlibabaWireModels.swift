import Foundation

/// Response bodies of the EBS actions the adapter reads (field names as on the wire).
enum AlibabaWire {
    struct Pair: Decodable, Sendable {
        var ReplicaPairId: String
        var PairName: String?
        var Description: String?
        var Status: String?
        var SourceRegion: String?
        var SourceZoneId: String?
        var DestinationRegion: String?
        var DestinationZoneId: String?
        var ReplicaGroupId: String?
        var CreateTime: Int?
        var LastRecoverPoint: Int?
    }

    struct Pairs: Decodable, Sendable {
        var ReplicaPairs: [Pair]?
        var NextToken: String?
    }

    struct Group: Decodable, Sendable {
        var ReplicaGroupId: String
        var GroupName: String?
        var Description: String?
        var Status: String?
        var SourceRegionId: String?
        var SourceZoneId: String?
        var DestinationRegionId: String?
        var DestinationZoneId: String?
        var PairNumber: Int?
        var LastRecoverPoint: Int?
    }

    struct Groups: Decodable, Sendable {
        var ReplicaGroups: [Group]?
        var NextToken: String?
    }

    struct Drill: Decodable, Sendable {
        var DrillId: String
        var Status: String?
        var StartAt: Int?
        /// The recovery point (unix seconds) the drill disks were made from.
        var RecoverPoint: Int?
    }

    /// The request id of any answer (`RequestId` in the body).
    struct RequestIdOnly: Decodable, Sendable {
        var RequestId: String?
    }

    struct Drills: Decodable, Sendable {
        var Drills: [Drill]?
        var NextToken: String?
    }

    struct DrillStarted: Decodable, Sendable {
        var DrillId: String
    }

    struct GroupCreated: Decodable, Sendable {
        var ReplicaGroupId: String
    }

    struct PairCreated: Decodable, Sendable {
        var ReplicaPairId: String
    }

    struct Empty: Decodable, Sendable {
        var RequestId: String?
    }
}
