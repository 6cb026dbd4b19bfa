import DRGWCore
import Foundation

/// Where an idempotency record is scoped: tenant + method + path + key.
public struct IdempotencyScope: Hashable, Sendable {
    public var tenant: String
    public var method: String
    public var path: String
    public var key: String

    public init(tenant: String, method: String, path: String, key: String) {
        self.tenant = tenant
        self.method = method
        self.path = path
        self.key = key
    }
}

/// A stored HTTP answer, replayed as is.
public struct StoredResponse: Codable, Sendable, Equatable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// What `begin` found for a key.
public enum IdempotencyBegin: Sendable, Equatable {
    /// New record: this caller owns the lease and runs the request. `operationId` is reserved.
    case started(operationId: String)
    /// An earlier attempt's lease expired before it completed (crash or unknown outcome):
    /// this caller now owns the lease and must reconcile, reusing `operationId`.
    case takenOver(operationId: String)
    /// The first request still holds its lease.
    case inFlight
    /// The key was used with another body.
    case fingerprintMismatch
    /// Finished: replay this answer.
    case completed(StoredResponse)
}

/// Durable idempotency records. Semantics fit SQL stores with atomic insert-if-absent and
/// conditional updates (SQLite here, PostgreSQL for several replicas).
public protocol IdempotencyStore: Sendable {
    /// Atomically creates a `started` record with a lease, or reports the existing one.
    func begin(
        _ scope: IdempotencyScope, fingerprint: String, operationId: String, leaseSeconds: Double, now: Date
    ) async throws -> IdempotencyBegin
    /// Stores the final answer.
    func complete(_ scope: IdempotencyScope, response: StoredResponse, now: Date) async throws
    /// Gives the lease up without an answer: the outcome is unknown and the next replay reconciles.
    func release(_ scope: IdempotencyScope) async throws
    /// Deletes records older than `cutoff`; returns how many.
    func purge(createdBefore cutoff: Date) async throws -> Int
}
