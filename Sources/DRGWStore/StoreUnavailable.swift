/// The store could not be reached or did not answer in time. The gateway answers `503
/// store_unavailable` with `Retry-After`; nothing was written, or the write is safe to repeat
/// with the same Idempotency-Key.
public struct StoreUnavailable: Error, Sendable, CustomStringConvertible {
    /// A short, secret-free reason (no SQL, no connection string).
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { "StoreUnavailable(\(reason))" }
}
