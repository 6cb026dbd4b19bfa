import DRGWCore
import Foundation

/// The unified API over Alibaba Cloud EBS async replication (2021-07-30, RPC style).
///
/// Protection groups are replica groups (`kind: group`, ids `pg-…`) and replica pairs that
/// belong to no group (`kind: pair`). Drill ids are opaque: `adrill_…` carries the owner's
/// kind and id and the upstream `DrillId`, because every drill call needs the owner too.
public struct AlibabaEBSProvider: Provider {
    /// `alibaba-ebs`.
    public let name = "alibaba-ebs"
    let account: AccountSettings
    let client: AlibabaRPCClient
    let statuses: StatusTable
    let operations: [String: AlibabaOperationRule]
    /// Groups and pairs whose last read allowed a drill, for `account.groupCheckSeconds`.
    let drillableOwners: ExpiringCache<ProtectionGroup>

    /// Creates the adapter for one account. Throws when the account has no AccessKey pair.
    public init(account: AccountSettings, transport: any HTTPTransport) throws {
        self.account = account
        self.client = try AlibabaRPCClient(account: account, transport: transport)
        self.statuses = AlibabaTables.statuses
        self.operations = AlibabaTables.operations
        self.drillableOwners = ExpiringCache(ttl: account.groupCheckSeconds)
    }

    /// The unified drill statuses a drill may start from (the replication states in which a drill can start, in unified terms).
    static let drillableStatuses: Set<ProtectionGroupStatus> = [.available, .protected, .failedOver]

    /// The opaque drill id prefix.
    static let drillPrefix = "adrill"

    /// The token a write sends as `ClientToken`: the caller's (derived from its Idempotency-Key;
    /// hashed to 64 hex characters when it is not ≤ 64 printable ASCII characters, so it stays
    /// stable) or one fresh UUID for this logical request. Every retry of the call reuses it.
    static func clientToken(_ context: CallContext) -> String {
        guard let token = context.clientToken, !token.isEmpty else { return RandomID.uuid() }
        if token.utf8.count <= 64, token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return token }
        return Digest.sha256Hex(token)
    }

    static func idProblem(_ id: String, field: String) throws {
        let errors = Validation.idErrors(id, field: field)
        if !errors.isEmpty { throw Problem.invalid(errors) }
    }

    func timestamp(_ seconds: Int?) -> String? {
        guard let seconds, seconds > 0 else { return nil }
        return Timestamp.rfc3339(Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
