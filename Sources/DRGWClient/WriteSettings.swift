import Foundation

/// How a write command runs: its idempotency key, and whether and how long to follow its operation.
public struct WriteSettings: Sendable {
    public var idempotencyKey: String?
    public var wait: Bool
    /// Seconds `--wait` follows the operation before giving up (exit 75).
    public var timeout: Double

    public init(idempotencyKey: String? = nil, wait: Bool = false, timeout: Double = 1800) {
        self.idempotencyKey = idempotencyKey
        self.wait = wait
        self.timeout = timeout
    }

    /// A fresh key for a write that came without one.
    public static func freshKey() -> String {
        "drgw-cli-" + UUID().uuidString.lowercased()
    }
}
