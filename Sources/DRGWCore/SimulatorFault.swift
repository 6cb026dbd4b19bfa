/// A fault a simulator injects in place of an answer (`SimulatorOptions.faultRate`), before the
/// request takes effect: an internal error, throttling, a slow answer, or a dropped connection.
public enum SimulatorFault: Sendable, CaseIterable, Equatable {
    case internalError, throttled, slow, drop

    /// With probability `rate`, one of the four faults, equally likely; nil otherwise. Seeded, so a
    /// soak run is repeatable.
    public static func draw(rate: Double, from generator: inout SeededGenerator) -> SimulatorFault? {
        guard rate > 0, generator.unit() < rate else { return nil }
        return allCases[Int(generator.next() % UInt64(allCases.count))]
    }
}
