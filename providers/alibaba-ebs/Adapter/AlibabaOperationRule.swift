import DRGWCore

/// How one kind of operation is followed: the upstream statuses that mean it is still
/// running, that it succeeded or that it failed, and what a vanished resource means.
public struct AlibabaOperationRule: Codable, Sendable, Equatable {
    /// Statuses in which the operation is still under way.
    public var running: [String]
    /// Statuses that end it successfully.
    public var succeeded: [String]
    /// Statuses that end it in failure.
    public var failed: [String]
    /// `succeeded` or `failed`: the meaning of the resource no longer being listed.
    public var whenGone: String

    /// Creates a rule (the shipped rules come from `Data/operations.json`).
    public init(running: [String], succeeded: [String], failed: [String], whenGone: String) {
        self.running = running
        self.succeeded = succeeded
        self.failed = failed
        self.whenGone = whenGone
    }

    /// Where the operation stands given the resource's current upstream status (nil = gone).
    /// Unknown statuses count as running: the operation poller's own deadline ends them.
    public func outcome(forStatus status: String?) -> OperationStatus {
        guard let status else { return whenGone == "succeeded" ? .succeeded : .failed }
        if succeeded.contains(status) { return .succeeded }
        if failed.contains(status) { return .failed }
        return .running
    }
}
