import DRGWCore
import Foundation

/// An operation as stored: the public Operation plus what the poller needs.
public struct StoredOperation: Sendable, Equatable {
    public var tenant: String
    public var operation: GatewayOperation
    /// The upstream job to follow; nil when the operation ended before one existed.
    public var job: UpstreamJob?
    /// When the poller should look next.
    public var nextPollAt: Date
    /// Poll attempts so far (drives the backoff).
    public var polls: Int
    /// The claim this copy was read under (`claimDue` bumps it): a poll's result is saved only
    /// while the row still carries it (fencing against a poller that paused past its lease).
    public var leaseGeneration: Int

    public init(tenant: String, operation: GatewayOperation, job: UpstreamJob?, nextPollAt: Date, polls: Int = 0, leaseGeneration: Int = 0) {
        self.tenant = tenant
        self.operation = operation
        self.job = job
        self.nextPollAt = nextPollAt
        self.polls = polls
        self.leaseGeneration = leaseGeneration
    }
}

/// A filter for listing operations.
public struct OperationQuery: Sendable {
    public var tenant: String
    public var accounts: [String]?
    public var status: OperationStatus?
    /// Opaque cursor from a previous page.
    public var cursor: String?
    public var limit: Int

    public init(tenant: String, accounts: [String]? = nil, status: OperationStatus? = nil, cursor: String? = nil, limit: Int = 50) {
        self.tenant = tenant
        self.accounts = accounts
        self.status = status
        self.cursor = cursor
        self.limit = limit
    }
}

/// Durable operations.
public protocol OperationStore: Sendable {
    /// Inserts or replaces an operation by id.
    func save(_ operation: StoredOperation) async throws
    /// Saves an operation and, in the same transaction, completes the Idempotency-Key record that
    /// started it with `response`: both are durable, or neither.
    func save(_ operation: StoredOperation, completing scope: IdempotencyScope, response: StoredResponse, now: Date) async throws
    /// The operation, only when it belongs to `tenant`.
    func operation(id: String, tenant: String) async throws -> StoredOperation?
    func list(_ query: OperationQuery) async throws -> Page<GatewayOperation>
    /// Claims running operations due for a poll at `now`, oldest first: each claimed row's next
    /// poll moves `leaseSeconds` ahead and its lease generation goes up by one in the same
    /// statement, so two gateways sharing a store do not poll one operation at once, and a poller
    /// that dies mid-poll is retried once the lease runs out.
    func claimDue(at now: Date, limit: Int, leaseSeconds: Double) async throws -> [StoredOperation]
    /// Deletes operations that ended before `cutoff` (never a running one); returns how many.
    /// Drill reports keep their own copy of what they need and are not touched.
    func purgeOperations(endedBefore cutoff: Date) async throws -> Int
    /// Saves the result of polling a claimed operation, only while the row still carries the
    /// claim's `leaseGeneration`. False when another poller claimed it since (this result is
    /// dropped: the newer owner's poll wins).
    func saveClaimed(_ operation: StoredOperation) async throws -> Bool
    /// True when the store answers.
    func ping() async -> Bool
}
