import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// Token bucket per key (a tenant, or a client address for failed authentication).
final class RateLimiter: Sendable {
    struct Decision {
        var allowed: Bool
        var remaining: Int
        var retryAfterSeconds: Int
        var headers: [(HTTPField.Name, String)]
    }

    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private let buckets = Mutex<[String: Bucket]>([:])
    let rate: Double
    let burst: Double
    /// The policy name in the `RateLimit` and `RateLimit-Policy` headers.
    let policy: String
    /// Buckets kept at most; idle full ones are dropped first, so a flood of new keys cannot grow memory.
    let maxBuckets: Int

    /// The `RateLimit-Policy` value: the same on every answer, so made once.
    private let policyHeader: String

    init(rate: Double, burst: Double, policy: String = "tenant", maxBuckets: Int = 10_000) {
        self.rate = max(rate, 0.001)
        self.burst = max(burst, 1)
        self.policy = policy
        self.maxBuckets = max(1, maxBuckets)
        let window = max(1, Int((self.burst / self.rate).rounded(.up)))
        self.policyHeader = "\"\(policy)\";q=\(Int(self.burst));w=\(window)"
    }

    func take(tenant: String, now: Date) -> Decision {
        let (allowed, tokens) = buckets.withLock { buckets -> (Bool, Double) in
            if buckets[tenant] == nil, buckets.count >= maxBuckets { prune(&buckets, now: now) }
            var bucket = buckets[tenant] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + now.timeIntervalSince(bucket.updated) * rate)
            bucket.updated = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            buckets[tenant] = bucket
            return (allowed, bucket.tokens)
        }
        let retryAfter = allowed ? 0 : max(1, Int(((1 - tokens) / rate).rounded(.up)))
        let headers: [(HTTPField.Name, String)] = [
            (.rateLimitPolicy, policyHeader),
            (.rateLimit, "\"\(policy)\";r=\(max(0, Int(tokens)));t=\(retryAfter)"),
        ]
        return Decision(allowed: allowed, remaining: Int(tokens), retryAfterSeconds: retryAfter, headers: headers)
    }

    /// How many buckets are held (for tests).
    var bucketCount: Int { buckets.withLock { $0.count } }

    /// Drops buckets that have refilled (they hold nothing a new bucket would not); when none has,
    /// the oldest half goes.
    private func prune(_ buckets: inout [String: Bucket], now: Date) {
        let refilled = buckets.filter { $0.value.tokens + now.timeIntervalSince($0.value.updated) * rate >= burst }.map(\.key)
        for key in refilled { buckets[key] = nil }
        if buckets.count >= maxBuckets {
            for (key, _) in buckets.sorted(by: { $0.value.updated < $1.value.updated }).prefix(buckets.count / 2) {
                buckets[key] = nil
            }
        }
    }
}
