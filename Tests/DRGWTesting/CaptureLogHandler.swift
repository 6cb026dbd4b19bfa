import Foundation
import Logging
import Synchronization

/// A log handler that keeps every line (message, then `key=value` metadata, unredacted) in a
/// shared `CaptureLogLines`, so a test can search everything a component logged.
public struct CaptureLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace
    public let lines: CaptureLogLines

    public init(lines: CaptureLogLines) {
        self.lines = lines
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.append("\(event.level) \(event.message) \(fields) source=\(event.source) at=\(event.file):\(event.line)")
    }
}
