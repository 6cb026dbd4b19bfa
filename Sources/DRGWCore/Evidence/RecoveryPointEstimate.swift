import Foundation

/// What a provider's own data says about the data a drill would have lost.
public struct RecoveryPointEstimate: Sendable, Equatable {
    /// Seconds between the recovery point the drill was made from and the drill's start; nil
    /// when the provider gives no figure.
    public var rpoSeconds: Double?
    /// What the figure rests on, in words (kept in the report).
    public var basis: String

    public init(rpoSeconds: Double?, basis: String) {
        self.rpoSeconds = rpoSeconds
        self.basis = basis
    }
}

extension Provider {
    /// Default: the provider exposes no recovery point data.
    public func recoveryPoint(ofDrill drillId: String, protectionGroupId: String, drillStartedAt: Date, context: CallContext)
        async throws -> RecoveryPointEstimate
    {
        RecoveryPointEstimate(rpoSeconds: nil, basis: "\(name) exposes no recovery point data")
    }
}
