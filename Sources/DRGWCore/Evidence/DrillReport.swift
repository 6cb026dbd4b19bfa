import Foundation

/// The verdict of a drill.
public enum DrillOutcome: String, Codable, Sendable, CaseIterable {
    case pending, passed, failed
}

/// Where a drill's cleanup stands.
public enum CleanupStatus: String, Codable, Sendable, CaseIterable {
    /// No expiry and no delete yet.
    case none
    /// `expiresAt` is set and not reached.
    case scheduled
    /// A delete operation is running (or due to be retried).
    case deleting
    /// The delete succeeded; a later read has not yet confirmed the drill is gone.
    case deleted
    /// A later upstream read no longer showed the drill.
    case verified
    /// The drill is still there upstream past its expiry, or after a delete that said it succeeded.
    case leftover
    /// The drill never came to exist upstream (its create failed before it had an id).
    case notNeeded = "not-needed"
}

/// The evidence record of one drill: when it was asked for, how long recovery took, how much
/// data it would have lost, its verdict and how it was cleaned up. It outlives the drill.
public struct DrillReport: Codable, Sendable, Equatable {
    /// The report's id: the id of the operation that created the drill.
    public var id: String
    /// The drill's id, once the provider named it.
    public var drillId: String?
    public var account: String
    public var provider: String
    public var protectionGroupId: String
    public var name: String
    /// When the gateway received the create request.
    public var requestedAt: Date
    /// When the gateway first saw the drill ready.
    public var readyAt: Date?
    /// `readyAt − requestedAt`, as the gateway measured it.
    public var rtoSeconds: Double?
    /// Data the drill would have lost, from the provider's own data; nil when unknown.
    public var rpoSeconds: Double?
    public var rtoTargetSeconds: Int?
    public var rpoTargetSeconds: Int?
    public var outcome: DrillOutcome
    /// A person's notes (`POST …/result`).
    public var notes: String?
    public var expiresAt: Date?
    /// When the drill was deleted upstream (the delete reported success).
    public var cleanedUpAt: Date?
    /// True once a later upstream read no longer showed the drill.
    public var cleanupVerified: Bool
    public var cleanupStatus: CleanupStatus
    /// Every operation of this drill (create, deletes), oldest first.
    public var operations: [String]
    /// Request ids of the upstream calls made for this drill.
    public var providerRequestIds: [String]
    /// What `rpoSeconds` rests on, in words.
    public var rpoBasis: String?
    /// What the gateway observed along the way (missed targets, failed deletes, leftovers).
    public var findings: [String]
    /// The schedule that started the drill, if any.
    public var scheduleId: String?

    public init(
        id: String, account: String, provider: String, protectionGroupId: String, name: String, requestedAt: Date
    ) {
        self.id = id
        self.account = account
        self.provider = provider
        self.protectionGroupId = protectionGroupId
        self.name = name
        self.requestedAt = requestedAt
        self.outcome = .pending
        self.cleanupVerified = false
        self.cleanupStatus = .none
        self.operations = [id]
        self.providerRequestIds = []
        self.findings = []
    }

    enum CodingKeys: String, CodingKey {
        case id, drillId, account, provider, protectionGroupId, name, requestedAt, readyAt, rtoSeconds, rpoSeconds
        case rtoTargetSeconds, rpoTargetSeconds, outcome, notes, expiresAt, cleanedUpAt, cleanupVerified, cleanupStatus
        case operations, providerRequestIds, rpoBasis, findings, scheduleId
    }

    /// Every member of the contract is written, `null` when unknown (auditors read absent as "forgot").
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(drillId, forKey: .drillId)
        try c.encode(account, forKey: .account)
        try c.encode(provider, forKey: .provider)
        try c.encode(protectionGroupId, forKey: .protectionGroupId)
        try c.encode(name, forKey: .name)
        try c.encode(Timestamp.rfc3339(requestedAt), forKey: .requestedAt)
        try c.encode(readyAt.map(Timestamp.rfc3339), forKey: .readyAt)
        try c.encode(rtoSeconds, forKey: .rtoSeconds)
        try c.encode(rpoSeconds, forKey: .rpoSeconds)
        try c.encode(rtoTargetSeconds, forKey: .rtoTargetSeconds)
        try c.encode(rpoTargetSeconds, forKey: .rpoTargetSeconds)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(notes, forKey: .notes)
        try c.encode(expiresAt.map(Timestamp.rfc3339), forKey: .expiresAt)
        try c.encode(cleanedUpAt.map(Timestamp.rfc3339), forKey: .cleanedUpAt)
        try c.encode(cleanupVerified, forKey: .cleanupVerified)
        try c.encode(cleanupStatus, forKey: .cleanupStatus)
        try c.encode(operations, forKey: .operations)
        try c.encode(providerRequestIds, forKey: .providerRequestIds)
        try c.encode(rpoBasis, forKey: .rpoBasis)
        try c.encode(findings, forKey: .findings)
        try c.encode(scheduleId, forKey: .scheduleId)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func date(_ key: CodingKeys) throws -> Date? {
            guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let date = Timestamp.parseRFC3339(text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not an RFC 3339 time")
            }
            return date
        }
        id = try c.decode(String.self, forKey: .id)
        drillId = try c.decodeIfPresent(String.self, forKey: .drillId)
        account = try c.decode(String.self, forKey: .account)
        provider = try c.decode(String.self, forKey: .provider)
        protectionGroupId = try c.decode(String.self, forKey: .protectionGroupId)
        name = try c.decode(String.self, forKey: .name)
        guard let requested = try date(.requestedAt) else {
            throw DecodingError.keyNotFound(CodingKeys.requestedAt, .init(codingPath: c.codingPath, debugDescription: "missing"))
        }
        requestedAt = requested
        readyAt = try date(.readyAt)
        rtoSeconds = try c.decodeIfPresent(Double.self, forKey: .rtoSeconds)
        rpoSeconds = try c.decodeIfPresent(Double.self, forKey: .rpoSeconds)
        rtoTargetSeconds = try c.decodeIfPresent(Int.self, forKey: .rtoTargetSeconds)
        rpoTargetSeconds = try c.decodeIfPresent(Int.self, forKey: .rpoTargetSeconds)
        outcome = try c.decode(DrillOutcome.self, forKey: .outcome)
        notes = try c.decodeIfPresent(String.self, forKey: .notes)
        expiresAt = try date(.expiresAt)
        cleanedUpAt = try date(.cleanedUpAt)
        cleanupVerified = try c.decodeIfPresent(Bool.self, forKey: .cleanupVerified) ?? false
        cleanupStatus = try c.decodeIfPresent(CleanupStatus.self, forKey: .cleanupStatus) ?? .none
        operations = try c.decodeIfPresent([String].self, forKey: .operations) ?? []
        providerRequestIds = try c.decodeIfPresent([String].self, forKey: .providerRequestIds) ?? []
        rpoBasis = try c.decodeIfPresent(String.self, forKey: .rpoBasis)
        findings = try c.decodeIfPresent([String].self, forKey: .findings) ?? []
        scheduleId = try c.decodeIfPresent(String.self, forKey: .scheduleId)
    }
}
