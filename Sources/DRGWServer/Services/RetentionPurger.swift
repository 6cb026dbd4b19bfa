import DRGWStore
import Foundation
import Logging
import ServiceLifecycle

/// Deletes what is past its retention: Idempotency-Key records by their age, and operations that
/// ended before `operations.retentionDays` (running ones are never touched; drill reports are kept).
struct RetentionPurger: Service {
    let store: any IdempotencyStore & OperationStore
    let idempotencyRetention: Double
    let operationRetention: Double
    let logger: Logger

    /// A quarter of the shorter retention, between 1 s and 5 minutes: nothing outlives its
    /// retention by much, and a long retention is not checked needlessly often.
    var interval: Duration {
        .milliseconds(Int64(min(300, max(1, min(idempotencyRetention, operationRetention) / 4)) * 1000))
    }

    init(store: any IdempotencyStore & OperationStore, idempotencyRetentionSeconds: Double, operationRetentionSeconds: Double, logger: Logger) {
        self.store = store
        self.idempotencyRetention = idempotencyRetentionSeconds
        self.operationRetention = operationRetentionSeconds
        self.logger = logger
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let now = Date()
                if let purged = try? await store.purge(createdBefore: now.addingTimeInterval(-idempotencyRetention)), purged > 0 {
                    logger.info("purged idempotency records", metadata: ["count": .stringConvertible(purged)])
                }
                if let purged = try? await store.purgeOperations(endedBefore: now.addingTimeInterval(-operationRetention)), purged > 0 {
                    logger.info("purged ended operations", metadata: ["count": .stringConvertible(purged)])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
