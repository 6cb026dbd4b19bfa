import Synchronization

/// A small, thread-safe map whose entries expire `ttl` seconds after they were stored.
///
/// Adapters keep a protection group's passed drill check here for a moment, so that a burst of
/// drill creates on one group does not read the group upstream before every create. Time is
/// passed in (seconds on any monotonic or wall clock), which keeps the type testable.
public final class ExpiringCache<Value: Sendable>: Sendable {
    /// Seconds an entry stays valid; 0 or less turns the cache off.
    public let ttl: Double
    /// Entries kept at most; when full, expired ones go first, then everything.
    public let maxEntries: Int
    private let entries = Mutex<[String: Entry]>([:])

    struct Entry: Sendable {
        var value: Value
        var expires: Double
    }

    public init(ttl: Double, maxEntries: Int = 4096) {
        self.ttl = ttl
        self.maxEntries = max(1, maxEntries)
    }

    /// The value stored for `key` unless it has expired by `now`.
    public func value(for key: String, now: Double) -> Value? {
        guard ttl > 0 else { return nil }
        return entries.withLock { map in
            guard let entry = map[key] else { return nil }
            if entry.expires > now { return entry.value }
            map[key] = nil
            return nil
        }
    }

    /// Stores `value` for `key` until `now + ttl`.
    public func store(_ value: Value, for key: String, now: Double) {
        guard ttl > 0 else { return }
        entries.withLock { map in
            if map.count >= maxEntries, map[key] == nil {
                map = map.filter { $0.value.expires > now }
                if map.count >= maxEntries { map.removeAll(keepingCapacity: true) }
            }
            map[key] = Entry(value: value, expires: now + ttl)
        }
    }

    /// Forgets `key` (after a write that may change what was cached).
    public func remove(_ key: String) {
        entries.withLock { _ = $0.removeValue(forKey: key) }
    }

    /// Entries held, expired or not.
    public var count: Int { entries.withLock { $0.count } }
}
