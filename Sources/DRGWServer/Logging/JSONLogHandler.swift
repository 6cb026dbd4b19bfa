import DRGWCore
import Foundation
import Logging
import Synchronization

/// One JSON object per line, on stdout through `LogSink` (which never blocks the caller and renders
/// the line on its own thread). As a
/// safety net, every configured secret value and anything that looks like an Authorization header
/// value is replaced by `[redacted]`.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String
    let redactor: Redactor
    let sink: LogSink

    public init(label: String, level: Logger.Level = .info, redactor: Redactor = .shared, sink: LogSink = .standardOutput) {
        self.label = label
        self.logLevel = level
        self.redactor = redactor
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Hands the event to the sink as it is: the line is rendered on the sink's thread, not the caller's.
    public func log(event: LogEvent) {
        sink.append(record(event), urgent: event.level >= .error)
    }

    /// The event with what the line needs, taken now (time, metadata), rendered later.
    func record(_ event: LogEvent) -> Record {
        Record(
            date: Date(), level: event.level, label: label, message: event.message.description, metadata: metadata,
            eventMetadata: event.metadata, redactor: redactor)
    }

    /// One log line: a JSON object with `ts`, `level`, `logger`, `msg`, then the metadata by key.
    func render(_ event: LogEvent) -> [UInt8] {
        var line: [UInt8] = []
        record(event).render(into: &line)
        return line
    }

    /// A log event waiting in the sink: everything its line shows, fixed when it was logged.
    struct Record: Sendable {
        var date: Date
        var level: Logger.Level
        var label: String
        var message: String
        /// The handler's metadata and the event's (which wins on equal keys).
        var metadata: Logger.Metadata
        var eventMetadata: Logger.Metadata?
        var redactor: Redactor

        /// Roughly the bytes of the rendered line (the sink's backlog bound).
        var estimatedSize: Int {
            64 + label.utf8.count + message.utf8.count + 48 * (metadata.count + (eventMetadata?.count ?? 0))
        }

        /// Appends the line, newline included.
        func render(into line: inout [UInt8]) {
            // Both metadata sets as one sorted list, without building a merged dictionary.
            var entries: [(key: String, value: Logger.Metadata.Value)] = []
            entries.reserveCapacity(metadata.count + (eventMetadata?.count ?? 0))
            let extra = eventMetadata ?? [:]
            for entry in metadata where extra[entry.key] == nil { entries.append(entry) }
            for entry in extra { entries.append(entry) }
            entries.sort { $0.key < $1.key }
            if line.isEmpty { line.reserveCapacity(256) }
            line.append(UInt8(ascii: "{"))
            JSONLogHandler.append(key: "ts", value: Timestamp.rfc3339(date), to: &line)
            JSONLogHandler.append(key: "level", value: level.rawValue, to: &line)
            JSONLogHandler.append(key: "logger", value: label, to: &line)
            JSONLogHandler.append(key: "msg", value: redactor.redact(message), to: &line)
            for (key, value) in entries where !JSONLogHandler.reserved.contains(key) {
                JSONLogHandler.append(key: key, value: redactor.redact(JSONLogHandler.flatten(value)), to: &line)
            }
            line[line.count - 1] = UInt8(ascii: "}")
            line.append(0x0A)
        }
    }

    /// Keys the handler writes itself; metadata cannot overwrite them.
    static let reserved: Set<String> = ["ts", "level", "logger", "msg"]

    /// Appends `"key":"value",` with JSON string escaping on UTF-8 bytes (every control character
    /// escaped, so a value cannot start a new line or drive a terminal).
    static func append(key: String, value: String, to line: inout [UInt8]) {
        JSONWriter.appendString(key, to: &line)
        line.append(UInt8(ascii: ":"))
        JSONWriter.appendString(value, to: &line)
        line.append(UInt8(ascii: ","))
    }

    static func flatten(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let s): return s
        case .stringConvertible(let c): return c.description
        case .array(let a): return "[" + a.map(flatten).joined(separator: ",") + "]"
        case .dictionary(let d): return "{" + d.sorted { $0.key < $1.key }.map { "\($0.key)=\(flatten($0.value))" }.joined(separator: ",") + "}"
        }
    }
}

/// Replaces known secret values in text. Secrets are registered once at startup.
public final class Redactor: Sendable {
    /// The process-wide redactor the log handler uses.
    public static let shared = Redactor()
    /// Registered secrets, as text and as UTF-8 bytes (the fast path scans bytes).
    private let secrets = Mutex<[(text: String, bytes: [UInt8])]>([])
    /// Authorization schemes whose parameters are credentials: every `…-HMAC-SHA256`/`-SHA1`
    /// signing scheme (whatever the cloud's prefix) and bearer tokens.
    private static let markers = ["HMAC-SHA256 ", "HMAC-SHA1 ", "Bearer "]
    private static let markerBytes = markers.map { Array($0.utf8) }

    public init() {}

    public func register(_ values: [String]) {
        secrets.withLock { list in
            for value in values where value.count >= 4 && !list.contains(where: { $0.text == value }) {
                list.append((value, Array(value.utf8)))
            }
        }
    }

    public func redact(_ text: String) -> String {
        let secrets = self.secrets.withLock { $0 }
        // Fast path: most values hold no secret and no credential marker; scan the string's own bytes.
        var copy = text
        let clean = copy.withUTF8 { bytes in
            !secrets.contains { Self.contains(bytes, $0.bytes) } && !Self.markerBytes.contains { Self.contains(bytes, $0) }
        }
        if clean { return text }
        var out = text
        for secret in secrets where out.contains(secret.text) {
            out = out.replacingOccurrences(of: secret.text, with: "[redacted]")
        }
        for marker in Self.markers {
            while let range = out.range(of: marker) {
                let end = out[range.upperBound...].firstIndex(where: { $0 == "\"" || $0 == "\n" }) ?? out.endIndex
                // From the start of the scheme's name (`SDK-`, `ACS3-`, `AWS4-` … before the marker).
                let start = out[..<range.lowerBound].lastIndex(where: { $0 == " " || $0 == "\"" || $0 == "\n" || $0 == "=" || $0 == ":" })
                    .map { out.index(after: $0) } ?? out.startIndex
                out.replaceSubrange(start..<end, with: "[redacted]")
            }
        }
        return out
    }

    /// Byte-level substring search (no Foundation bridging).
    static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ pattern: [UInt8]) -> Bool {
        guard let first = pattern.first, pattern.count <= haystack.count else { return pattern.isEmpty }
        var i = 0
        let last = haystack.count - pattern.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < pattern.count && haystack[i + j] == pattern[j] { j += 1 }
                if j == pattern.count { return true }
            }
            i += 1
        }
        return false
    }
}
