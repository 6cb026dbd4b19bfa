import Foundation

/// The unified status of a long-running operation.
public enum OperationStatus: String, Codable, Sendable, CaseIterable {
    case running, succeeded, failed

    public var isTerminal: Bool { self != .running }
}

/// What an operation acts on.
public struct ResourceReference: Codable, Sendable, Equatable {
    /// `drill` or `protectionGroup`.
    public var type: String
    /// The resource id, once known (a create learns it from the upstream job).
    public var id: String?

    public init(type: String, id: String?) {
        self.type = type
        self.id = id
    }
}

/// A long-running operation: the gateway's view of an upstream job.
public struct Operation: Codable, Sendable, Equatable {
    public var id: String
    public var account: String
    public var kind: String
    public var status: OperationStatus
    public var createdAt: String
    public var updatedAt: String
    public var resource: ResourceReference
    public var error: Problem?

    public init(
        id: String, account: String, kind: String, status: OperationStatus, createdAt: String,
        updatedAt: String, resource: ResourceReference, error: Problem? = nil
    ) {
        self.id = id
        self.account = account
        self.kind = kind
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.resource = resource
        self.error = error
    }
}
