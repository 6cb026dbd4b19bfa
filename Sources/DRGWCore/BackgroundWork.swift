/// Work an adapter starts for later and does not wait for (e.g. re-reading a cached group after a
/// create went on without it). It runs in the gateway's `BackgroundWorkService`, a child of
/// its service group: cancelled on shutdown, never outliving the process's structure.
public final class BackgroundWork: Sendable {
    private let stream: AsyncStream<@Sendable () async -> Void>
    private let sink: AsyncStream<@Sendable () async -> Void>.Continuation

    public init() {
        (stream, sink) = AsyncStream.makeStream(of: (@Sendable () async -> Void).self, bufferingPolicy: .bufferingNewest(1024))
    }

    /// Queues `work`; dropped once the runner has stopped (or when 1 024 items already wait).
    public func submit(_ work: @escaping @Sendable () async -> Void) {
        sink.yield(work)
    }

    /// Runs queued work, each item as a child task, until the calling task is cancelled (which
    /// cancels the items still running) or `finish()` is called and the queue is drained.
    public func run() async {
        await withDiscardingTaskGroup { group in
            for await work in stream {
                group.addTask { await work() }
            }
        }
    }

    /// Ends `run()` once the queued work is done.
    public func finish() {
        sink.finish()
    }
}
