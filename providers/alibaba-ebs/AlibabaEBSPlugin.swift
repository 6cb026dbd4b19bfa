import DRGWCore

/// How Alibaba Cloud EBS async replication plugs into the gateway.
public enum AlibabaEBSPlugin: ProviderPlugin {
    /// The contract's provider name.
    public static let name = "alibaba-ebs"
    public static let demoAccountId = "ali-demo"
    /// The simulator's and a configuration's default region.
    public static let defaultRegion = "cn-shanghai"
    /// `signature`: `v3` (ACS3-HMAC-SHA256, the default) or `v1` (the RPC signature).
    public static let accountKeys = ["signature"]

    /// Needs an AccessKey pair (`credentials.accessKey`, `credentials.secretKey`) and, when
    /// given, `signature` ∈ {`v3`, `v1`}.
    public static func validate(account: AccountSettings) -> [AccountSettingProblem] {
        var problems = account.keyPairProblems(provider: name)
        if let signature = account.signature, !["v1", "v3"].contains(signature.lowercased()) {
            problems.append(AccountSettingProblem(key: "signature", reason: "must be v3 or v1"))
        }
        return problems
    }

    /// Builds the adapter; throws when the account has no AccessKey pair.
    public static func makeProvider(account: AccountSettings, transport: any HTTPTransport) throws -> any Provider {
        try AlibabaEBSProvider(account: account, transport: transport)
    }

    /// A V3-signing account in the simulator's region, talking to `endpoint`.
    public static func demoAccount(id: String, endpoint: String, options: SimulatorOptions) -> AccountSettings {
        AccountSettings(
            id: id, provider: name, region: options.region ?? defaultRegion, endpoint: endpoint,
            options: ["signature": options.settings["signature"] ?? "v3"],
            credentials: Credentials(accessKey: options.accessKey, secretKey: options.secretKey))
    }
}

extension AccountSettings {
    /// The request signature, `v3` or `v1` (the account's `signature`; nil means v3).
    public var signature: String? {
        get { options["signature"] }
        set { options["signature"] = newValue }
    }
}
