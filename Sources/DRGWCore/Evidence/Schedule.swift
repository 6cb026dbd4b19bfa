import Foundation

/// A drill schedule: a cron expression in a time zone that creates one drill per slot.
public struct Schedule: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var account: String
    public var protectionGroupId: String
    public var cron: String
    /// IANA time zone name the cron fields are read in.
    public var timezone: String
    /// ISO 8601 duration given to each drill as `cleanupAfter`.
    public var cleanupAfter: String?
    public var rtoTargetSeconds: Int?
    public var rpoTargetSeconds: Int?
    public var enabled: Bool
    public var createdAt: Date
    /// The next slot; nil when disabled or the expression fires no more.
    public var nextRunAt: Date?
    public var lastRunAt: Date?
    /// The drill of the last run, once known.
    public var lastDrillId: String?
    /// The create operation of the last run.
    public var lastOperationId: String?
    /// Why the last run did not start a drill, if it did not.
    public var lastError: String?

    public init(
        id: String, name: String, account: String, protectionGroupId: String, cron: String, timezone: String,
        enabled: Bool, createdAt: Date
    ) {
        self.id = id
        self.name = name
        self.account = account
        self.protectionGroupId = protectionGroupId
        self.cron = cron
        self.timezone = timezone
        self.enabled = enabled
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, account, protectionGroupId, cron, timezone, cleanupAfter, rtoTargetSeconds, rpoTargetSeconds, enabled
        case createdAt, nextRunAt, lastRunAt, lastDrillId, lastOperationId, lastError
    }

    /// Every member written, `null` when unset.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(account, forKey: .account)
        try c.encode(protectionGroupId, forKey: .protectionGroupId)
        try c.encode(cron, forKey: .cron)
        try c.encode(timezone, forKey: .timezone)
        try c.encode(cleanupAfter, forKey: .cleanupAfter)
        try c.encode(rtoTargetSeconds, forKey: .rtoTargetSeconds)
        try c.encode(rpoTargetSeconds, forKey: .rpoTargetSeconds)
        try c.encode(enabled, forKey: .enabled)
        try c.encode(Timestamp.rfc3339(createdAt), forKey: .createdAt)
        try c.encode(nextRunAt.map(Timestamp.rfc3339), forKey: .nextRunAt)
        try c.encode(lastRunAt.map(Timestamp.rfc3339), forKey: .lastRunAt)
        try c.encode(lastDrillId, forKey: .lastDrillId)
        try c.encode(lastOperationId, forKey: .lastOperationId)
        try c.encode(lastError, forKey: .lastError)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func date(_ key: CodingKeys) throws -> Date? {
            try c.decodeIfPresent(String.self, forKey: key).flatMap(Timestamp.parseRFC3339)
        }
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        account = try c.decode(String.self, forKey: .account)
        protectionGroupId = try c.decode(String.self, forKey: .protectionGroupId)
        cron = try c.decode(String.self, forKey: .cron)
        timezone = try c.decode(String.self, forKey: .timezone)
        cleanupAfter = try c.decodeIfPresent(String.self, forKey: .cleanupAfter)
        rtoTargetSeconds = try c.decodeIfPresent(Int.self, forKey: .rtoTargetSeconds)
        rpoTargetSeconds = try c.decodeIfPresent(Int.self, forKey: .rpoTargetSeconds)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
        createdAt = try date(.createdAt) ?? Date(timeIntervalSince1970: 0)
        nextRunAt = try date(.nextRunAt)
        lastRunAt = try date(.lastRunAt)
        lastDrillId = try c.decodeIfPresent(String.self, forKey: .lastDrillId)
        lastOperationId = try c.decodeIfPresent(String.self, forKey: .lastOperationId)
        lastError = try c.decodeIfPresent(String.self, forKey: .lastError)
    }
}
