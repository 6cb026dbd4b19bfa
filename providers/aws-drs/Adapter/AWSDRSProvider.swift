import DRGWCore
import Foundation
import Synchronization

/// The AWS Elastic Disaster Recovery adapter: protection groups are recovery plans (their server
/// steps name the source servers), a drill is a `StartRecovery` launch job with `isDrill: true`
/// (the drill id is the job id), a drill delete terminates the drill's recovery instances and is
/// verified through `DescribeRecoveryInstances`. Every call is `POST /{Operation}` with a JSON body,
/// signed with Signature Version 4 (service `drs`).
public struct AWSDRSProvider: Provider {
    /// The provider name of the contract.
    public let name = AWSDRSPlugin.name
    let account: AccountSettings
    let transport: any HTTPTransport
    let tables: AWSDRSTables
    /// `scheme://host[:port]` plus any base path, without a trailing slash.
    let baseURL: String
    /// The `Host` header value (the endpoint's netloc, port included when given).
    let hostHeader: String
    let signer: AWSSigV4Signer
    let clock: @Sendable () -> Date
    let unitRandom: @Sendable () -> Double
    /// Recovery plan id (`rp-…`) → its ARN, learned from `ListRecoveryPlans` and `CreateRecoveryPlan`.
    let planArns: PlanArnCache

    /// Creates the adapter of one account.
    /// - Throws: `Problem(.invalidRequest)` naming the bad setting.
    public init(
        account: AccountSettings, transport: any HTTPTransport, tables: AWSDRSTables = .shared,
        clock: @escaping @Sendable () -> Date = { Date() },
        unitRandom: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) throws {
        try AWSDRSPlugin.requireValid(account)
        let endpoint = try UpstreamEndpoint(
            account.endpoint ?? tables.endpoints.endpoint(for: account.region), field: "accounts.\(account.id).endpoint")
        self.account = account
        self.transport = transport
        self.tables = tables
        self.hostHeader = endpoint.hostHeader
        self.baseURL = endpoint.baseURL
        self.signer = AWSSigV4Signer(
            accessKey: account.credentials.accessKey ?? "", secretKey: account.credentials.secretKey ?? "",
            sessionToken: account.credentials.securityToken, region: account.region, service: AWSDRSPlugin.signingName)
        self.clock = clock
        self.unitRandom = unitRandom
        self.planArns = PlanArnCache()
    }
}

/// Recovery plan ARNs by plan id: an ARN never changes, so entries live as long as the adapter.
final class PlanArnCache: Sendable {
    private let arns = Mutex<[String: String]>([:])

    func arn(of id: String) -> String? { arns.withLock { $0[id] } }

    func remember(_ arn: String) {
        guard let id = AWSDRSProvider.planId(fromArn: arn) else { return }
        arns.withLock { $0[id] = arn }
    }
}

extension AWSDRSProvider {
    /// The plan id is the last segment of its ARN (`…:recovery-plan/rp-…` → `rp-…`).
    static func planId(fromArn arn: String) -> String? {
        guard let slash = arn.lastIndex(of: "/") else { return nil }
        let id = String(arn[arn.index(after: slash)...])
        return id.isEmpty ? nil : id
    }
}
