import DRGWCore
import Foundation

/// The Huawei Cloud SDRS v1 adapter: translates the unified API to SDRS calls, signs them
/// (SDK-HMAC-SHA256, or an IAM `X-Auth-Token`), sends them through the injected transport,
/// maps answers and errors with the tables in `Data/`, and follows async jobs.
public struct HuaweiSDRSProvider: Provider {
    /// The provider name of the contract.
    public let name = HuaweiSDRSPlugin.name
    /// SDRS names may hold Chinese characters.
    public let namesAllowCJK = true
    let account: AccountSettings
    let transport: any HTTPTransport
    let tables: HuaweiTables
    /// `scheme://host[:port]` plus any base path, without a trailing slash.
    let baseURL: String
    /// The `Host` header value (the endpoint's netloc, port included when given).
    let hostHeader: String
    let projectId: String
    let signer: HuaweiSigner?
    let clock: @Sendable () -> Date
    let unitRandom: @Sendable () -> Double
    /// Groups whose last read allowed a drill, for `account.groupCheckSeconds`.
    let drillableGroups: ExpiringCache<Bool>

    /// Creates the adapter of one account.
    /// - Parameters:
    ///   - account: settings; `projectId` and AK/SK or an auth token are required.
    ///   - transport: where requests go.
    ///   - tables: the data tables (the bundled ones by default).
    ///   - clock: the signing time source (injected for tests).
    /// - Throws: `Problem(.invalidRequest)` naming the bad setting.
    public init(
        account: AccountSettings, transport: any HTTPTransport, tables: HuaweiTables = .shared,
        clock: @escaping @Sendable () -> Date = { Date() },
        unitRandom: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) throws {
        try HuaweiSDRSPlugin.requireValid(account)
        let endpoint = try UpstreamEndpoint(
            account.endpoint ?? tables.endpoints.endpoint(for: account.region), field: "accounts.\(account.id).endpoint")
        self.account = account
        self.transport = transport
        self.tables = tables
        self.hostHeader = endpoint.hostHeader
        self.baseURL = endpoint.baseURL
        self.projectId = account.projectId ?? ""
        if let ak = account.credentials.accessKey, let sk = account.credentials.secretKey {
            self.signer = HuaweiSigner(accessKey: ak, secretKey: sk)
        } else {
            self.signer = nil
        }
        self.clock = clock
        self.unitRandom = unitRandom
        self.drillableGroups = ExpiringCache(ttl: account.groupCheckSeconds)
    }
}
