import DRGWCore

/// How Alibaba Cloud EBS async replication plugs into the gateway.
public enum AlibabaEBSPlugin: ProviderPlugin {
    /// The contract's provider name.
    public static let name = "alibaba-ebs"
    public static let demoAccountId = "ali-demo"
    /// The simulator's and a configuration's default region.
    public static let defaultRegion = "cn-shanghai"

    /// Needs an AccessKey pair (`credentials.accessKey`, `credentials.secretKey`) and, when
    /// given, `signature` ∈ {`v3`, `v1`}.
    public static func validate(account: AccountSettings) -> [String] {
        var problems: [String] = []
        if (account.credentials.accessKey ?? "").isEmpty { problems.append("credentials.accessKey") }
        if (account.credentials.secretKey ?? "").isEmpty { problems.append("credentials.secretKey") }
        if let signature = account.signature, !["v1", "v3"].contains(signature.lowercased()) { problems.append("signature") }
        return problems
    }

    /// Builds the adapter; throws when the account has no AccessKey pair.
    public static func makeProvider(account: AccountSettings, transport: any HTTPTransport) throws -> any Provider {
        try AlibabaEBSProvider(account: account, transport: transport)
    }

    /// Builds a seeded simulator.
    public static func makeSimulator(options: SimulatorOptions) -> any ProviderSimulator {
        AlibabaEBSSimulator(options: options)
    }

    /// A V3-signing account in the simulator's region, talking to `endpoint`.
    public static func demoAccount(id: String, endpoint: String, options: SimulatorOptions) -> AccountSettings {
        AccountSettings(
            id: id, provider: name, region: options.region ?? defaultRegion, endpoint: endpoint, signature: "v3",
            credentials: Credentials(accessKey: options.accessKey, secretKey: options.secretKey))
    }
}
