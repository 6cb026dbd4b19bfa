import DRGWStore
import NIOCore
import Synchronization

/// The name and cleanup deadline the gateway gave a drill, remembered for `lifetime` after a read.
///
/// Both are fixed when the drill is created, so a script polling one drill reads its report once
/// instead of on every GET (the read parses the whole stored report). Only found labels are kept:
/// a drill whose report has no drill id yet must show its label as soon as the report does. Two
/// generations bound the memory: when the newer one holds `capacity / 2` entries it becomes the
/// older one, and the older one is dropped.
final class DrillLabelCache: Sendable {
    private struct Key: Hashable {
        var account: String
        var drillId: String
    }

    private struct Entry {
        var label: DrillLabel
        var storedAt: NIODeadline
    }

    private struct Generations {
        var newer: [Key: Entry] = [:]
        var older: [Key: Entry] = [:]
    }

    private let generations = Mutex(Generations())
    private let capacity: Int
    private let lifetime: TimeAmount

    init(capacity: Int = 8192, lifetime: TimeAmount = .seconds(60)) {
        self.capacity = max(2, capacity)
        self.lifetime = lifetime
    }

    /// The label of `drillId`: remembered, else read with `read` (and remembered when found).
    func label(
        account: String, drillId: String, now: NIODeadline = .now(),
        read: (String, String) async throws -> DrillLabel?
    ) async throws -> DrillLabel? {
        let key = Key(account: account, drillId: drillId)
        if let label = cached(key, now: now) { return label }
        guard let label = try await read(account, drillId) else { return nil }
        store(key, Entry(label: label, storedAt: now))
        return label
    }

    /// Entries held (tests).
    var count: Int {
        generations.withLock { $0.newer.count + $0.older.count }
    }

    private func cached(_ key: Key, now: NIODeadline) -> DrillLabel? {
        generations.withLock { state in
            let entry = state.newer[key] ?? state.older[key]
            guard let entry, now - entry.storedAt < lifetime else { return nil }
            return entry.label
        }
    }

    private func store(_ key: Key, _ entry: Entry) {
        generations.withLock { state in
            if state.newer.count >= capacity / 2 {
                state.older = state.newer
                state.newer = [:]
            }
            state.newer[key] = entry
        }
    }
}
