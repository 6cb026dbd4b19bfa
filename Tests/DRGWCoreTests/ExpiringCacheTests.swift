import DRGWCore
import Testing

@Suite("ExpiringCache")
struct ExpiringCacheTests {
    @Test func entriesExpireAfterTheirTTL() {
        let cache = ExpiringCache<String>(ttl: 2)
        cache.store("a", for: "g1", now: 100)
        #expect(cache.value(for: "g1", now: 101.9) == "a")
        #expect(cache.value(for: "g1", now: 102) == nil)
        #expect(cache.count == 0)  // an expired entry is dropped when it is looked up
        #expect(cache.value(for: "other", now: 100) == nil)
    }

    @Test func storingAgainRenewsAndRemoveForgets() {
        let cache = ExpiringCache<Int>(ttl: 1)
        cache.store(1, for: "g", now: 10)
        cache.store(2, for: "g", now: 10.8)
        #expect(cache.value(for: "g", now: 11.5) == 2)
        cache.remove("g")
        #expect(cache.value(for: "g", now: 11.5) == nil)
    }

    @Test func zeroTTLKeepsNothing() {
        let cache = ExpiringCache<Int>(ttl: 0)
        cache.store(1, for: "g", now: 0)
        #expect(cache.value(for: "g", now: 0) == nil)
        #expect(cache.count == 0)
    }

    @Test func aFullCacheDropsExpiredEntriesFirstThenEverything() {
        let cache = ExpiringCache<Int>(ttl: 5, maxEntries: 3)
        cache.store(1, for: "old", now: 0)
        cache.store(2, for: "b", now: 4)
        cache.store(3, for: "c", now: 4)
        cache.store(4, for: "d", now: 6)  // full: "old" has expired and goes
        #expect(cache.count == 3)
        #expect(cache.value(for: "b", now: 6) == 2)
        cache.store(5, for: "e", now: 6)  // full of live entries: start over
        #expect(cache.count == 1)
        #expect(cache.value(for: "e", now: 6) == 5)
    }

    @Test func pastHalfItsLifeAnEntryAsksOneCallerToRefreshIt() {
        let cache = ExpiringCache<Int>(ttl: 2)
        cache.store(1, for: "g", now: 0)
        guard case .fresh(1) = cache.lookup("g", now: 0.9) else { Issue.record("expected fresh"); return }
        guard case .refresh(1) = cache.lookup("g", now: 1.1) else { Issue.record("expected one refresh"); return }
        guard case .fresh(1) = cache.lookup("g", now: 1.2) else { Issue.record("the refresh is handed out once"); return }
        cache.store(2, for: "g", now: 1.3)  // the refresh arrived: a new life
        guard case .fresh(2) = cache.lookup("g", now: 2.2) else { Issue.record("expected fresh after refresh"); return }
        guard case .miss = cache.lookup("g", now: 3.3) else { Issue.record("expected expiry"); return }
    }
}
