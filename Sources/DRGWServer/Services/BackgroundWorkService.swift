import DRGWCore
import ServiceLifecycle

/// Runs the adapters' background work (`BackgroundWork`) inside the gateway's service group:
/// on graceful shutdown the queue closes and what still runs is cancelled with the group.
struct BackgroundWorkService: Service {
    let work: BackgroundWork

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await work.run()
        }
    }
}
