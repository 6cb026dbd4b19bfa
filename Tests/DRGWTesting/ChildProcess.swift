import Foundation
import Synchronization
#if canImport(Glibc)
    import Glibc
#endif

/// A child process for tests (`drgw serve`, `drgw` client commands): its output goes to files,
/// its end is reported by a termination handler set before it starts and awaited from async code
/// (never `waitUntilExit()`, which holds one of the few cooperative threads on a run loop and has
/// been seen to wait forever for a child that had already exited), and every wait has a deadline
/// after which the child is killed, so a child that does not stop fails its test instead of
/// hanging the run.
public final class ChildProcess: @unchecked Sendable {
    /// What a finished short command left behind.
    public struct Outcome: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// The process did not end within its time and was killed.
        public var timedOut: Bool
    }

    public let process = Process()
    /// The exit status, once the termination handler ran.
    private let ended = ExitStatusBox()
    public let stdoutPath: String
    public let stderrPath: String

    /// Prepares `executable arguments…` with exactly `environment`; stdout and stderr go to the
    /// given files (created empty).
    public init(executable: String, arguments: [String], environment: [String: String], stdoutPath: String, stderrPath: String) throws {
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
        FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        process.terminationHandler = { [ended] finished in ended.value.withLock { $0 = finished.terminationStatus } }
    }

    public func start() throws { try process.run() }

    /// SIGKILL without waiting: for cleanup in a `defer`.
    public func killNow() {
        if isRunning, process.processIdentifier > 0 { kill(process.processIdentifier, SIGKILL) }
    }

    /// A child left running by a test that threw goes with its handle.
    deinit { killNow() }

    public var isRunning: Bool { ended.value.withLock { $0 } == nil }
    /// The exit status once the process ended.
    public var status: Int32? { ended.value.withLock { $0 } }
    public var pid: Int32 { process.processIdentifier }

    public var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// The exit status once the process ended within `limit`; nil while it still runs.
    public func exitStatus(within limit: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + limit
        while true {
            if let status = ended.value.withLock({ $0 }) { return status }
            guard ContinuousClock.now < deadline else { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Sends `signal` and waits up to `grace`; a process still alive then is killed. The status is
    /// nil when the process had to be killed.
    public func stop(signal: Int32 = SIGTERM, grace: Duration = .seconds(60)) async -> Int32? {
        if let status = ended.value.withLock({ $0 }) { return status }
        // Never started: pid 0 would signal the whole process group.
        guard process.processIdentifier > 0 else { return nil }
        kill(process.processIdentifier, signal)
        if let status = await exitStatus(within: grace) { return status }
        kill(process.processIdentifier, SIGKILL)
        _ = await exitStatus(within: .seconds(10))
        return nil
    }

    /// Runs a command that ends by itself, in a scratch directory for its output; one that is still
    /// running after `limit` is killed and reported with `timedOut`.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], limit: Duration = .seconds(120)
    ) async throws -> Outcome {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("drgw-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let child = try ChildProcess(
            executable: executable, arguments: arguments, environment: environment,
            stdoutPath: directory.appendingPathComponent("out").path, stderrPath: directory.appendingPathComponent("err").path)
        try child.start()
        var timedOut = false
        var status = await child.exitStatus(within: limit)
        if status == nil {
            timedOut = true
            status = await child.stop(signal: SIGKILL, grace: .seconds(10))
        }
        return Outcome(status: status ?? -1, stdout: child.stdout, stderr: child.stderr, timedOut: timedOut)
    }
}

/// Shared between a child's handle and its termination handler.
private final class ExitStatusBox: Sendable {
    let value = Mutex<Int32?>(nil)
}
