import DRGWCore
import Foundation

/// How an operation is laid out in a store's row, the same for SQLite and PostgreSQL.
enum OperationRecord {
    private static let decoder = JSONDecoder()

    static func row(_ stored: StoredOperation) -> OperationRow {
        OperationRow(
            id: stored.operation.id, tenant: stored.tenant, account: stored.operation.account,
            status: stored.operation.status.rawValue, body: String(decoding: stored.operation.jsonBytes, as: UTF8.self),
            job: stored.job.map { String(decoding: $0.jsonBytes, as: UTF8.self) },
            nextPollAt: stored.nextPollAt.timeIntervalSince1970, polls: stored.polls,
            endedAt: stored.operation.status == .running
                ? nil : (Timestamp.parseRFC3339(stored.operation.updatedAt) ?? Date()).timeIntervalSince1970)
    }

    /// The stored operation, or nil for a row this version cannot read.
    static func decode(tenant: String, body: String, job: String?, nextPollAt: Double, polls: Int, generation: Int) -> StoredOperation? {
        guard let operation = try? decoder.decode(GatewayOperation.self, from: Data(body.utf8)) else { return nil }
        let job = job.flatMap { try? decoder.decode(UpstreamJob.self, from: Data($0.utf8)) }
        return StoredOperation(
            tenant: tenant, operation: operation, job: job, nextPollAt: Date(timeIntervalSince1970: nextPollAt),
            polls: polls, leaseGeneration: generation)
    }

    /// The response headers of a stored answer as one JSON object text.
    static func headersText(_ headers: [String: String]) -> String {
        var writer = JSONWriter(capacity: 128)
        writer.object(strings: headers)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    static func headers(_ text: String?) -> [String: String] {
        text.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
    }
}

/// An operation's columns as written.
struct OperationRow: Sendable {
    var id: String
    var tenant: String
    var account: String
    var status: String
    var body: String
    var job: String?
    var nextPollAt: Double
    var polls: Int
    /// When the operation ended (its last update); nil while it runs. Retention counts from it.
    var endedAt: Double?
}
