import Foundation

/// Exponential backoff with full jitter, bounded in attempts and total time. Pure: the random
/// draw is passed in.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var baseDelay: Double
    public var maxDelay: Double
    public var budget: Double

    public init(maxAttempts: Int = 4, baseDelay: Double = 0.2, maxDelay: Double = 5, budget: Double = 20) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.budget = budget
    }

    public init(limits: UpstreamLimits) {
        self.init(maxAttempts: limits.maxAttempts, baseDelay: limits.baseBackoff, maxDelay: 5, budget: limits.retryBudgetSeconds)
    }

    /// Seconds to wait before attempt `attempt + 1` (attempt counts from 1), or nil to stop.
    /// `retryAfter` (from the server) wins over the computed delay when it is larger.
    public func delay(afterAttempt attempt: Int, elapsed: Double, retryAfter: Double?, unitRandom: Double) -> Double? {
        guard attempt < maxAttempts else { return nil }
        let cap = min(maxDelay, baseDelay * pow(2, Double(attempt - 1)))
        var wait = cap * max(0, min(1, unitRandom))
        if let retryAfter { wait = max(wait, retryAfter) }
        guard elapsed + wait <= budget else { return nil }
        return wait
    }
}
