import Foundation

/// A validated drill create request of the unified API.
public struct CreateDrillInput: Codable, Sendable, Equatable {
    public var name: String
    public var protectionGroupId: String
    public var drillNetworkId: String?

    public init(name: String, protectionGroupId: String, drillNetworkId: String? = nil) {
        self.name = name
        self.protectionGroupId = protectionGroupId
        self.drillNetworkId = drillNetworkId
    }
}

/// A protection group create request. The fields are the union of both providers' fields;
/// each adapter validates the ones it needs and reads provider-only ones from `providerOptions`.
public struct CreateProtectionGroupInput: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    // Huawei SDRS server groups
    public var sourceAvailabilityZone: String?
    public var targetAvailabilityZone: String?
    public var sourceNetworkId: String?
    public var domainId: String?
    public var drType: String?
    // Alibaba EBS replica group
    public var sourceRegionId: String?
    public var sourceZoneId: String?
    public var destinationRegionId: String?
    public var destinationZoneId: String?
    public var rpo: Int?
    /// Provider-only fields, validated per provider.
    public var providerOptions: [String: String]?

    public init(name: String, description: String? = nil) {
        self.name = name
        self.description = description
    }
}

/// What can be done to a protection group besides create and delete.
public enum ProtectionGroupAction: String, Codable, Sendable, CaseIterable {
    case start, stop, failover, switchover, reprotect

    /// The operation kind, e.g. `protectionGroup.failover`.
    public var operationKind: String { "protectionGroup.\(rawValue)" }
}

/// The body of a protection group action (only `switchover` takes a field).
public struct ActionInput: Codable, Sendable, Equatable {
    /// `target` or `source` (switchover only).
    public var priorityStation: String?

    public init(priorityStation: String? = nil) {
        self.priorityStation = priorityStation
    }
}

/// Per-call facts an adapter needs besides the request itself.
public struct CallContext: Sendable {
    /// The gateway's request id, for logs and upstream correlation.
    public var requestId: String
    /// A stable token for this logical write, the same on every retry and replay
    /// (derived from the caller's Idempotency-Key when there is one). At most 64 ASCII characters.
    public var clientToken: String?
    /// W3C trace context to propagate upstream.
    public var traceparent: String?
    /// True when the gateway replays a write whose earlier attempt's outcome is unknown:
    /// adapters without a client token look for the resource before creating it again.
    public var reconcile: Bool
    /// Where an adapter puts work it does not wait for; nil outside the gateway (tests, tools),
    /// where `runLater` falls back to an unstructured task.
    public var background: BackgroundWork?

    public init(
        requestId: String, clientToken: String? = nil, traceparent: String? = nil, reconcile: Bool = false,
        background: BackgroundWork? = nil
    ) {
        self.requestId = requestId
        self.clientToken = clientToken
        self.traceparent = traceparent
        self.reconcile = reconcile
        self.background = background
    }

    /// Starts `work` without waiting for it: in the gateway's background service when there is one.
    public func runLater(_ work: @escaping @Sendable () async -> Void) {
        if let background { background.submit(work) } else { Task { await work() } }
    }
}
