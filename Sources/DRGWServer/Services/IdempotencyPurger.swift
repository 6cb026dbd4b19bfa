import DRGWStore
import Foundation
import Logging
import ServiceLifecycle

/// Deletes idempotency records older than the retention period, every few minutes.
struct IdempotencyPurger: Service {
    let store: any IdempotencyStore
    let retentionHours: Double
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let cutoff = Date().addingTimeInterval(-retentionHours * 3600)
                if let purged = try? await store.purge(createdBefore: cutoff), purged > 0 {
                    logger.info("purged idempotency records", metadata: ["count": .stringConvertible(purged)])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
