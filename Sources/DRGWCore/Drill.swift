import Foundation

/// The unified status of a DR drill.
public enum DrillStatus: String, Codable, Sendable, CaseIterable {
    case creating, ready, deleting, deleted, failed
}

/// A DR drill as the unified API shows it. `id` is opaque and round-trips through GET.
public struct Drill: Codable, Sendable, Equatable {
    public var id: String
    public var account: String
    public var provider: String
    public var name: String
    public var protectionGroupId: String
    public var drillNetworkId: String?
    public var status: DrillStatus
    public var providerStatus: String
    public var createdAt: String
    /// When the gateway deletes the drill by itself (set from the drill's report, `cleanupAfter`).
    public var expiresAt: String?
    /// The cloud's own id of the drill where it differs from `id` (Alibaba's `DrillId`), as its
    /// console shows it.
    public var providerId: String?

    public init(
        id: String, account: String, provider: String, name: String, protectionGroupId: String,
        drillNetworkId: String? = nil, status: DrillStatus, providerStatus: String, createdAt: String
    ) {
        self.id = id
        self.account = account
        self.provider = provider
        self.name = name
        self.protectionGroupId = protectionGroupId
        self.drillNetworkId = drillNetworkId
        self.status = status
        self.providerStatus = providerStatus
        self.createdAt = createdAt
    }
}

extension Drill: JSONWritable {
    /// The same bytes as the sorted-keys `JSONEncoder` output, written directly (the drill GET hot path).
    public func write(to writer: inout JSONWriter) {
        writer.object { w in
            w.member("account", account)
            w.member("createdAt", createdAt)
            w.member("drillNetworkId", drillNetworkId)
            w.member("expiresAt", expiresAt)
            w.member("id", id)
            w.member("name", name)
            w.member("protectionGroupId", protectionGroupId)
            w.member("provider", provider)
            w.member("providerId", providerId)
            w.member("providerStatus", providerStatus)
            w.member("status", status.rawValue)
        }
    }
}
