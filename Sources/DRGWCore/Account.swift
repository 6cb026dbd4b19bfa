import Foundation

/// Credentials resolved from the environment or files at startup. Never printed.
public struct Credentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKey: String?
    public var secretKey: String?
    public var securityToken: String?
    /// Huawei IAM `X-Auth-Token` instead of AK/SK signing.
    public var authToken: String?

    public init(accessKey: String? = nil, secretKey: String? = nil, securityToken: String? = nil, authToken: String? = nil) {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.securityToken = securityToken
        self.authToken = authToken
    }

    public var description: String { "Credentials(redacted)" }
    public var debugDescription: String { description }

    /// Every secret value, for the redacting log handler.
    public var secretValues: [String] {
        [secretKey, securityToken, authToken].compactMap { $0 }.filter { $0.count >= 4 }
    }
}

/// Upstream call limits of one account.
public struct UpstreamLimits: Sendable, Equatable {
    public var connectTimeout: Double
    public var requestTimeout: Double
    public var maxAttempts: Int
    public var retryBudgetSeconds: Double
    public var baseBackoff: Double
    public var maxResponseBytes: Int

    public init(
        connectTimeout: Double = 5, requestTimeout: Double = 30, maxAttempts: Int = 4,
        retryBudgetSeconds: Double = 20, baseBackoff: Double = 0.2, maxResponseBytes: Int = 8 << 20
    ) {
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.maxAttempts = maxAttempts
        self.retryBudgetSeconds = retryBudgetSeconds
        self.baseBackoff = baseBackoff
        self.maxResponseBytes = maxResponseBytes
    }
}

/// One configured cloud account, as an adapter receives it.
public struct AccountSettings: Sendable {
    public var id: String
    public var provider: String
    public var region: String
    /// Base URL of the cloud's API; nil means the provider's default for the region.
    public var endpoint: String?
    /// The account's cloud-specific settings: the keys its plugin declares in `accountKeys`, read
    /// from the account's config block. Each provider folder offers typed accessors for its own.
    public var options: [String: String]
    public var credentials: Credentials
    public var limits: UpstreamLimits
    /// Seconds a protection group's passed drill check (its status allows a drill) is reused
    /// for further drill creates on that group before it is read upstream again; 0 reads every time.
    public var groupCheckSeconds: Double

    public init(
        id: String, provider: String, region: String, endpoint: String? = nil, options: [String: String] = [:],
        credentials: Credentials, limits: UpstreamLimits = UpstreamLimits(), groupCheckSeconds: Double = 2
    ) {
        self.id = id
        self.provider = provider
        self.region = region
        self.endpoint = endpoint
        self.options = options
        self.credentials = credentials
        self.limits = limits
        self.groupCheckSeconds = groupCheckSeconds
    }
}
