import DRGWCore
import Foundation
import Logging
import Synchronization

/// One JSON object per line on stdout. As a safety net, every configured secret value and
/// anything that looks like an Authorization header value is replaced by `[redacted]`.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String
    let redactor: Redactor

    public init(label: String, level: Logger.Level = .info, redactor: Redactor = .shared) {
        self.label = label
        self.logLevel = level
        self.redactor = redactor
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    static let output = Mutex<Void>(())

    public func log(event: LogEvent) {
        var object: [String: Any] = [
            "ts": Timestamp.rfc3339(Date()), "level": event.level.rawValue, "logger": label,
            "msg": redactor.redact(event.message.description),
        ]
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for (key, value) in merged { object[key] = redactor.redact(Self.flatten(value)) }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return
        }
        Self.output.withLock { _ in
            FileHandle.standardOutput.write(data + Data([0x0A]))
        }
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
    private let secrets = Mutex<[String]>([])

    public init() {}

    public func register(_ values: [String]) {
        secrets.withLock { list in
            for value in values where value.count >= 4 && !list.contains(value) { list.append(value) }
        }
    }

    public func redact(_ text: String) -> String {
        var out = text
        for secret in secrets.withLock({ $0 }) where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: "[redacted]")
        }
        for marker in ["SDK-HMAC-SHA256 ", "ACS3-HMAC-SHA256 ", "Bearer "] {
            while let range = out.range(of: marker) {
                let end = out[range.upperBound...].firstIndex(where: { $0 == "\"" || $0 == "\n" }) ?? out.endIndex
                out.replaceSubrange(range.lowerBound..<end, with: "[redacted]")
            }
        }
        return out
    }
}
