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
public struct GatewayOperation: Codable, Sendable, Equatable {
    public var id: String
    public var account: String
    public var kind: String
    public var status: OperationStatus
    public var createdAt: String
    public var updatedAt: String
    public var resource: ResourceReference
    public var error: Problem?
    /// When the upstream last answered a poll of the job (RFC 3339).
    public var lastPolledAt: String?
    /// The last poll that got no answer (timeout, 5xx, connection refused); cleared by the next
    /// answered poll. The operation keeps running meanwhile.
    public var lastPollError: Problem?
    /// Polls of the upstream job so far, answered or not.
    public var pollAttempts: Int?

    /// Every kind of operation the gateway starts.
    public static let kinds: [String] =
        ["drill.create", "drill.delete", "protectionGroup.create", "protectionGroup.delete"]
        + ProtectionGroupAction.allCases.map(\.operationKind)

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

extension GatewayOperation: JSONWritable {
    /// The same bytes as the sorted-keys `JSONEncoder` output, written directly (every write's answer).
    public func write(to writer: inout JSONWriter) {
        writer.object { w in
            w.member("account", account)
            w.member("createdAt", createdAt)
            if let error { w.member("error", raw: JSONWriter.encoded(error)) }
            w.member("id", id)
            w.member("kind", kind)
            if let lastPollError { w.member("lastPollError", raw: JSONWriter.encoded(lastPollError)) }
            w.member("lastPolledAt", lastPolledAt)
            if let pollAttempts { w.member("pollAttempts", raw: Array(String(pollAttempts).utf8)) }
            w.member("resource") { resource.write(to: &$0) }
            w.member("status", status.rawValue)
            w.member("updatedAt", updatedAt)
        }
    }
}

extension ResourceReference: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.object { w in
            w.member("id", id)
            w.member("type", type)
        }
    }
}
