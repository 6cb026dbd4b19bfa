import Foundation

/// The unified status of a protection group.
public enum ProtectionGroupStatus: String, Codable, Sendable, CaseIterable {
    case creating, available, protected
    case failingOver = "failing-over"
    case failedOver = "failed-over"
    case reversing, stopping, deleting, deleted, error
}

/// Whether a protection group is a group of pairs or a single replica pair (Alibaba only).
public enum ProtectionGroupKind: String, Codable, Sendable {
    case group, pair
}

/// A protection group as the unified API shows it; `id` is the provider's own id.
public struct ProtectionGroup: Codable, Sendable, Equatable {
    public var id: String
    public var account: String
    public var provider: String
    public var kind: ProtectionGroupKind
    public var name: String
    public var status: ProtectionGroupStatus
    public var providerStatus: String
    public var description: String?
    public var sourceAvailabilityZone: String?
    public var targetAvailabilityZone: String?
    public var sourceRegionId: String?
    public var destinationRegionId: String?
    public var priorityStation: String?
    public var memberCount: Int?
    public var createdAt: String?
    public var updatedAt: String?

    public init(
        id: String, account: String, provider: String, kind: ProtectionGroupKind, name: String,
        status: ProtectionGroupStatus, providerStatus: String, description: String? = nil,
        sourceAvailabilityZone: String? = nil, targetAvailabilityZone: String? = nil,
        sourceRegionId: String? = nil, destinationRegionId: String? = nil,
        priorityStation: String? = nil, memberCount: Int? = nil,
        createdAt: String? = nil, updatedAt: String? = nil
    ) {
        self.id = id
        self.account = account
        self.provider = provider
        self.kind = kind
        self.name = name
        self.status = status
        self.providerStatus = providerStatus
        self.description = description
        self.sourceAvailabilityZone = sourceAvailabilityZone
        self.targetAvailabilityZone = targetAvailabilityZone
        self.sourceRegionId = sourceRegionId
        self.destinationRegionId = destinationRegionId
        self.priorityStation = priorityStation
        self.memberCount = memberCount
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
