import Logging
import ServiceLifecycle

/// A server (or any long-running body) a test starts and later stops with a graceful shutdown,
/// never by cancelling its task: cancelling a Hummingbird server in the instant it accepts a
/// connection traps in NIO ("Deinited NIOAsyncWriter without calling finish()",
/// apple/swift-nio#2637), which ends the whole test process. A graceful stop closes the listener
/// first and serves what was accepted; past `limit` the rest is cancelled.
public final class GracefulTask: Sendable {
    private let group: ServiceGroup
    private let task: Task<Void, Never>

    public init(limit: Duration = .seconds(15), _ body: @escaping @Sendable () async throws -> Void) {
        var logger = Logger(label: "drgw-tests.graceful-task")
        logger.logLevel = .critical
        var configuration = ServiceGroupConfiguration(services: [BodyService(body: body)], logger: logger)
        configuration.maximumGracefulShutdownDuration = limit
        let group = ServiceGroup(configuration: configuration)
        self.group = group
        task = Task { try? await group.run() }
    }

    /// Stops the body and waits until it has ended.
    public func stop() async {
        await group.triggerGracefulShutdown()
        await task.value
    }

    /// Starts the stop without waiting (for a `defer` in synchronous code).
    public func stopSoon() {
        let group = group
        Task { await group.triggerGracefulShutdown() }
    }

    /// Runs a server until it reports its port through `onPort`, then `body` with that port, then
    /// stops the server gracefully, whether `body` returned or threw.
    public static func withServer<T>(
        _ serve: @escaping @Sendable (_ onPort: @escaping @Sendable (Int) -> Void) async throws -> Void,
        _ body: (Int) async throws -> T
    ) async throws -> T {
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let running = GracefulTask {
            defer { sink.finish() }
            try await serve { port in
                sink.yield(port)
                sink.finish()
            }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            await running.stop()
            throw TestServerError(message: "the server did not start")
        }
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await body(port))
        } catch {
            outcome = .failure(error)
        }
        await running.stop()
        return try outcome.get()
    }
}

private struct BodyService: Service {
    let body: @Sendable () async throws -> Void

    func run() async throws {
        try await body()
    }
}
