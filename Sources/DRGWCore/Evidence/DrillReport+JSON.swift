import Foundation

/// The stored and served form of a report without `Codable`'s generic containers (a report is
/// written and read back on every step of a drill). Byte for byte what `JSONEncoder` with sorted
/// keys writes for the `Codable` form, and reads everything that form reads.
extension DrillReport: JSONWritable, JSONReadable {
    public func write(to writer: inout JSONWriter) {
        writer.object { w in
            // Members in UTF-8 order of their names; unknown values spelled out as null.
            w.member("account", account)
            w.member("cleanedUpAt", orNull: cleanedUpAt.map(Timestamp.rfc3339))
            w.member("cleanupStatus", cleanupStatus.rawValue)
            w.member("cleanupVerified", cleanupVerified)
            w.member("drillId", orNull: drillId)
            w.member("expiresAt", orNull: expiresAt.map(Timestamp.rfc3339))
            w.member("findings", array: findings)
            w.member("id", id)
            w.member("name", name)
            w.member("notes", orNull: notes)
            w.member("operations", array: operations)
            w.member("outcome", outcome.rawValue)
            w.member("protectionGroupId", protectionGroupId)
            w.member("provider", provider)
            w.member("providerRequestIds", array: providerRequestIds)
            w.member("readyAt", orNull: readyAt.map(Timestamp.rfc3339))
            w.member("requestedAt", Timestamp.rfc3339(requestedAt))
            w.member("rpoBasis", orNull: rpoBasis)
            w.member("rpoSeconds", number: rpoSeconds)
            w.member("rpoTargetSeconds", number: rpoTargetSeconds)
            w.member("rtoSeconds", number: rtoSeconds)
            w.member("rtoTargetSeconds", number: rtoTargetSeconds)
            w.member("scheduleId", orNull: scheduleId)
        }
    }

    public init(json: JSONValue) throws {
        func date(_ key: String) throws -> Date? {
            guard let text = try json.optionalString(key) else { return nil }
            guard let date = Timestamp.parseRFC3339(text) else { throw JSONFieldError(field: key) }
            return date
        }
        func status<T: RawRepresentable<String>>(_ key: String, _ type: T.Type) throws -> T? {
            guard let text = try json.optionalString(key) else { return nil }
            guard let value = T(rawValue: text) else { throw JSONFieldError(field: key) }
            return value
        }
        guard case .object = json else { throw JSONFieldError(field: "report") }
        guard let requested = try date("requestedAt") else { throw JSONFieldError(field: "requestedAt") }
        self.init(
            id: try json.string("id"), account: try json.string("account"), provider: try json.string("provider"),
            protectionGroupId: try json.string("protectionGroupId"), name: try json.string("name"), requestedAt: requested)
        drillId = try json.optionalString("drillId")
        readyAt = try date("readyAt")
        rtoSeconds = try json.optionalDouble("rtoSeconds")
        rpoSeconds = try json.optionalDouble("rpoSeconds")
        rtoTargetSeconds = try json.optionalInt("rtoTargetSeconds")
        rpoTargetSeconds = try json.optionalInt("rpoTargetSeconds")
        guard let outcome = try status("outcome", DrillOutcome.self) else { throw JSONFieldError(field: "outcome") }
        self.outcome = outcome
        notes = try json.optionalString("notes")
        expiresAt = try date("expiresAt")
        cleanedUpAt = try date("cleanedUpAt")
        cleanupVerified = try json.optionalBool("cleanupVerified") ?? false
        cleanupStatus = try status("cleanupStatus", CleanupStatus.self) ?? .none
        operations = try json.optionalStrings("operations") ?? []
        providerRequestIds = try json.optionalStrings("providerRequestIds") ?? []
        rpoBasis = try json.optionalString("rpoBasis")
        findings = try json.optionalStrings("findings") ?? []
        scheduleId = try json.optionalString("scheduleId")
    }
}
