/// A fault the simulator can inject before a request takes effect.
public enum AlibabaSimulatorFault: String, Sendable, CaseIterable {
    /// 500 `InternalError` or 503 `ServiceUnavailable`.
    case serverError
    /// 400 `Throttling.User` with `x-acs-retry-after` (milliseconds).
    case throttle
    /// The answer comes 1–3 seconds late (the request still takes effect once).
    case slow
    /// The connection is closed without an answer.
    case drop
}

/// SplitMix64: a small seeded generator, so a fault run can be repeated.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func unit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }
}
