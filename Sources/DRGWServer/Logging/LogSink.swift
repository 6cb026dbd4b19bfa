import DRGWCore
import Foundation
import Metrics

/// Where log lines go: a queue that a thread of its own renders and writes to a file descriptor.
///
/// A request never waits on the log's reader: a slow or stalled stdout (a paused terminal, a
/// container runtime or journald that stopped reading) would otherwise block every event loop
/// inside `write(2)`. The writer collects lines for up to `interval` before one `write`, so a busy
/// gateway makes one system call per batch instead of one per request; errors are written at once.
/// When more than `capacity` bytes wait, new lines are dropped and counted
/// (`drgw_log_lines_dropped_total`), and a warning with the count follows once writing resumes.
public final class LogSink: @unchecked Sendable {
    /// Standard output, 8 MiB of backlog, batches of up to 20 ms.
    public static let standardOutput = LogSink(fd: 1)

    private let fd: Int32
    private let capacity: Int
    private let interval: Double
    private let condition = NSCondition()
    /// A line as bytes, or a log event the writer renders.
    private enum Item {
        case bytes([UInt8])
        case record(JSONLogHandler.Record)
    }

    // Guarded by `condition`.
    private var pending: [Item] = []
    /// Bytes waiting (estimated for records), bounded by `capacity`.
    private var pendingBytes = 0
    private var dropped = 0
    private var writing = false
    private var urgent = false
    private var flushRequests = 0
    private static let droppedCounter = Counter(label: "drgw_log_lines_dropped_total")

    public init(fd: Int32, capacity: Int = 8 << 20, interval: Double = 0.02) {
        self.fd = fd
        self.capacity = capacity
        self.interval = interval
        let thread = Thread { [self] in
            Thread.current.name = "drgw-log"
            self.run()
        }
        thread.start()
    }

    /// Queues one line (with its newline); `urgent` wakes the writer at once.
    public func append(_ line: [UInt8], urgent: Bool = false) {
        enqueue(.bytes(line), size: line.count, urgent: urgent)
    }

    /// Queues one log event; the writer renders its line.
    func append(_ record: JSONLogHandler.Record, urgent: Bool = false) {
        enqueue(.record(record), size: record.estimatedSize, urgent: urgent)
    }

    private func enqueue(_ item: Item, size: Int, urgent: Bool) {
        condition.lock()
        defer { condition.unlock() }
        guard pendingBytes + size <= capacity else {
            dropped += 1
            Self.droppedCounter.increment()
            return
        }
        let wasEmpty = pending.isEmpty
        pending.append(item)
        pendingBytes += size
        if urgent { self.urgent = true }
        // The writer sleeps untimed only while nothing waits: wake it for the first line, then it
        // comes back on its own after `interval`.
        if wasEmpty || urgent { condition.signal() }
    }

    /// Waits until every line queued before the call is written, or `timeout` seconds pass (a
    /// reader that stopped must not hold up the exit).
    @discardableResult
    public func flush(timeout: Double = 2) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        flushRequests += 1
        defer { flushRequests -= 1 }
        condition.broadcast()
        while !pending.isEmpty || writing {
            if !condition.wait(until: deadline) { return false }
        }
        return true
    }

    /// Lines dropped so far because the backlog was full (tests).
    var droppedCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return dropped
    }

    private func run() {
        condition.lock()
        while true {
            while pending.isEmpty { condition.wait() }
            // Collect for a while unless someone waits for the bytes or the batch is big already.
            if !urgent && flushRequests == 0 && pendingBytes < 64 << 10 {
                _ = condition.wait(until: Date(timeIntervalSinceNow: interval))
            }
            var items: [Item] = []
            swap(&items, &pending)
            pendingBytes = 0
            urgent = false
            writing = true
            condition.unlock()
            let complete = Self.writeAll(Self.render(items), to: fd)
            condition.lock()
            writing = false
            if complete && dropped > 0 {
                let count = dropped
                dropped = 0
                let notice = Self.droppedNotice(count)
                pending.insert(.bytes(notice), at: 0)
                pendingBytes += notice.count
            }
            condition.broadcast()
        }
    }

    /// One batch's bytes, records rendered in order.
    private static func render(_ items: [Item]) -> [UInt8] {
        var batch: [UInt8] = []
        batch.reserveCapacity(items.count * 256)
        for item in items {
            switch item {
            case .bytes(let line): batch.append(contentsOf: line)
            case .record(let record): record.render(into: &batch)
            }
        }
        return batch
    }

    /// Blocking writes on this thread until `bytes` are out; false when the descriptor fails.
    private static func writeAll(_ bytes: [UInt8], to fd: Int32) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && (errno == EINTR || errno == EAGAIN) {
                    if errno == EAGAIN { usleep(1000) }
                } else {
                    return false  // closed or broken: these lines are gone, the next batch tries again
                }
            }
            return true
        }
    }

    /// The warning written once lines could be written again.
    static func droppedNotice(_ count: Int) -> [UInt8] {
        var line: [UInt8] = [UInt8(ascii: "{")]
        JSONLogHandler.append(key: "ts", value: Timestamp.rfc3339(Date()), to: &line)
        JSONLogHandler.append(key: "level", value: "warning", to: &line)
        JSONLogHandler.append(key: "logger", value: "drgw", to: &line)
        JSONLogHandler.append(key: "msg", value: "log lines dropped: the log output did not keep up", to: &line)
        JSONLogHandler.append(key: "dropped", value: String(count), to: &line)
        line[line.count - 1] = UInt8(ascii: "}")
        line.append(0x0A)
        return line
    }
}
