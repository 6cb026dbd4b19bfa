import Foundation
import Testing

@testable import DRGWServer

@Suite("Rate limiter")
struct RateLimiterTests {
    @Test func bucketsRefillAndRefuseWithRetryAfter() {
        let limiter = RateLimiter(rate: 1, burst: 2, policy: "client")
        let t = Date(timeIntervalSince1970: 1_000)
        #expect(limiter.take(tenant: "a", now: t).allowed)
        #expect(limiter.take(tenant: "a", now: t).allowed)
        let refused = limiter.take(tenant: "a", now: t)
        #expect(!refused.allowed)
        #expect(refused.retryAfterSeconds == 1)
        #expect(refused.headers.contains { $0.1.hasPrefix("\"client\";") })
        #expect(limiter.take(tenant: "b", now: t).allowed)  // keys do not share a bucket
        #expect(limiter.take(tenant: "a", now: t.addingTimeInterval(1.01)).allowed)
    }

    @Test func aFloodOfNewKeysCannotGrowMemoryWithoutBound() {
        let limiter = RateLimiter(rate: 1, burst: 5, maxBuckets: 100)
        let t = Date(timeIntervalSince1970: 1_000)
        for i in 0..<1_000 { _ = limiter.take(tenant: "10.0.\(i / 256).\(i % 256)", now: t.addingTimeInterval(Double(i) * 0.001)) }
        #expect(limiter.bucketCount <= 100)
        // A key that is still draining keeps its state across pruning when it is recent.
        for _ in 0..<5 { _ = limiter.take(tenant: "hot", now: t.addingTimeInterval(2)) }
        #expect(!limiter.take(tenant: "hot", now: t.addingTimeInterval(2)).allowed)
    }
}
