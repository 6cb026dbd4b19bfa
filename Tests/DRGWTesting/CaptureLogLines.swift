import Foundation
import Logging
import Synchronization

/// The lines a `CaptureLogHandler` collected, shared across copies of the handler.
public final class CaptureLogLines: Sendable {
    private let storage = Mutex<[String]>([])

    public init() {}

    public func append(_ line: String) { storage.withLock { $0.append(line) } }

    public var all: [String] { storage.withLock { $0 } }

    /// A logger at `.trace` that writes here.
    public func logger(label: String) -> Logger {
        var logger = Logger(label: label) { _ in CaptureLogHandler(lines: self) }
        logger.logLevel = .trace
        return logger
    }
}
