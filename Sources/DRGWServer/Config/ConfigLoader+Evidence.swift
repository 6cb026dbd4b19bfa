import DRGWCore

extension ConfigLoader {
    /// Reads `evidence: { sweepSeconds, verifyAfterSeconds, maxDeleteAttempts, scheduleTickSeconds }`.
    func readEvidence(_ map: Node.Map, into evidence: inout GatewayConfig.Evidence) throws {
        func seconds(_ key: String, _ range: ClosedRange<Double>) throws -> Double? {
            guard let value = try map.optionalDouble(key) else { return nil }
            guard range.contains(value) else {
                throw ConfigError(key: map.path(key), "must be between \(range.lowerBound) and \(range.upperBound)")
            }
            return value
        }
        if let value = try seconds("sweepSeconds", 0.05...3600) { evidence.sweepSeconds = value }
        if let value = try seconds("verifyAfterSeconds", 0...86_400) { evidence.verifyAfterSeconds = value }
        if let value = try seconds("scheduleTickSeconds", 0.05...60) { evidence.scheduleTickSeconds = value }
        if let value = try map.optionalInt("maxDeleteAttempts") {
            guard (1...100).contains(value) else { throw ConfigError(key: map.path("maxDeleteAttempts"), "must be 1 to 100") }
            evidence.maxDeleteAttempts = value
        }
    }
}
