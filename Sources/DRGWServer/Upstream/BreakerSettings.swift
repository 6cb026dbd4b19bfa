import Foundation

/// Circuit-breaker tuning of one account's upstream endpoint (`accounts[].breaker` in the YAML).
public struct BreakerSettings: Sendable, Equatable {
    /// Consecutive unhealthy answers (connect failures, resets, timeouts, 502/503/504) that open the circuit.
    public var failureThreshold: Int
    /// Seconds the circuit stays open before one probe may pass.
    public var openSeconds: Double

    public init(failureThreshold: Int = 5, openSeconds: Double = 5) {
        self.failureThreshold = failureThreshold
        self.openSeconds = openSeconds
    }
}
