import NIOCore

/// Runs a task's jobs on one NIO event loop. A job enqueued from that loop's own thread is queued
/// there without waking anything; from elsewhere it costs one wake-up of the loop.
public final class EventLoopTaskExecutor: TaskExecutor {
    public let loop: any EventLoop

    public init(_ loop: any EventLoop) {
        self.loop = loop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
