import Synchronization

/// Collects the request ids of the upstream calls made within a task, for a drill's report.
/// The gateway binds one with `UpstreamRequestIDs.$current.withValue(…)` around a write; adapters
/// call `record(_:)` with the id each answer carries. Unbound, recording does nothing.
public final class UpstreamRequestIDs: Sendable {
    /// The collector of the current task, if any.
    @TaskLocal public static var current: UpstreamRequestIDs?

    private let ids = Mutex<[String]>([])

    public init() {}

    /// The ids so far, in call order, without repeats.
    public var all: [String] { ids.withLock { $0 } }

    /// Adds an id to the current task's collector (ignored without one, or when empty or repeated).
    /// `id` is only evaluated when a collector is bound (reading it may cost a body parse).
    public static func record(_ id: @autoclosure () -> String?) {
        guard let current, let id = id(), !id.isEmpty, id.utf8.count <= 128 else { return }
        current.ids.withLock { list in
            if !list.contains(id), list.count < 64 { list.append(id) }
        }
    }
}
