import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// Token bucket per tenant.
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

    init(rate: Double, burst: Double) {
        self.rate = max(rate, 0.001)
        self.burst = max(burst, 1)
    }

    func take(tenant: String, now: Date) -> Decision {
        let (allowed, tokens) = buckets.withLock { buckets -> (Bool, Double) in
            var bucket = buckets[tenant] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + now.timeIntervalSince(bucket.updated) * rate)
            bucket.updated = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            buckets[tenant] = bucket
            return (allowed, bucket.tokens)
        }
        let retryAfter = allowed ? 0 : max(1, Int(((1 - tokens) / rate).rounded(.up)))
        let window = max(1, Int((burst / rate).rounded(.up)))
        let headers: [(HTTPField.Name, String)] = [
            (.rateLimitPolicy, "\"tenant\";q=\(Int(burst));w=\(window)"),
            (.rateLimit, "\"tenant\";r=\(max(0, Int(tokens)));t=\(retryAfter)"),
        ]
        return Decision(allowed: allowed, remaining: Int(tokens), retryAfterSeconds: retryAfter, headers: headers)
    }
}
