import Synchronization

/// A small, thread-safe map whose entries expire `ttl` seconds after they were stored.
///
/// Adapters keep a protection group's passed drill check here for a moment, so that a burst of
/// drill creates on one group does not read the group upstream before every create. `lookup`
/// also says, once per entry, when an entry is past half its life: the caller then refreshes it
/// in the background while still using it, so steady traffic never waits for a read (and many
/// concurrent requests never miss together when an entry ends). Time is passed in (seconds on
/// any monotonic or wall clock), which keeps the type testable.
public final class ExpiringCache<Value: Sendable>: Sendable {
    /// Seconds an entry stays valid; 0 or less turns the cache off.
    public let ttl: Double
    /// Entries kept at most; when full, expired ones go first, then everything.
    public let maxEntries: Int
    private let entries = Mutex<[String: Entry]>([:])

    struct Entry: Sendable {
        var value: Value
        var expires: Double
        var refreshClaimed = false
    }

    /// What `lookup` found.
    public enum Lookup {
        /// No live entry: read the value.
        case miss
        /// A live entry.
        case fresh(Value)
        /// A live entry past half its life; this caller (and only this one) should refresh it.
        case refresh(Value)
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

    /// Like `value(for:now:)`, and hands out the refresh of an entry past half its life once.
    public func lookup(_ key: String, now: Double) -> Lookup {
        guard ttl > 0 else { return .miss }
        return entries.withLock { map in
            guard let entry = map[key] else { return .miss }
            if entry.expires <= now {
                map[key] = nil
                return .miss
            }
            if !entry.refreshClaimed, entry.expires - now < ttl / 2 {
                map[key]?.refreshClaimed = true
                return .refresh(entry.value)
            }
            return .fresh(entry.value)
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
