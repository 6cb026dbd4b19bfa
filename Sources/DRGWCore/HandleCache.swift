import Synchronization

/// Metric handles (or any other shared objects) made once per key and reused. Building a
/// swift-metrics handle goes through the factory's registry and its lock on every call; hot paths
/// look their handles up here instead. Keys must come from a bounded set (routes, templates).
public final class HandleCache<Key: Hashable & Sendable, Handle: Sendable>: Sendable {
    private let handles = Mutex<[Key: Handle]>([:])

    public init() {}

    /// The handle for `key`, made by `make` the first time.
    public func handle(_ key: Key, make: () -> Handle) -> Handle {
        handles.withLock { all in
            if let existing = all[key] { return existing }
            let made = make()
            all[key] = made
            return made
        }
    }
}
