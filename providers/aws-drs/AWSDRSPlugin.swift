import DRGWCore

/// Plugs AWS Elastic Disaster Recovery into the gateway: adapter and demo account (the simulator
/// plugs in from its own target, `AWSDRSSimulatorPlugin`).
public enum AWSDRSPlugin: ProviderPlugin {
    /// The contract's provider name.
    public static let name = "aws-drs"
    public static let demoAccountId = "aws-demo"
    /// The simulator's and a configuration's default region.
    public static let defaultRegion = "us-east-1"
    /// The SigV4 signing name (service) of DRS.
    public static let signingName = "drs"

    /// Needs an access key pair; a session token is optional.
    public static func validate(account: AccountSettings) -> [AccountSettingProblem] {
        account.keyPairProblems(provider: name)
    }

    public static func makeProvider(account: AccountSettings, transport: any HTTPTransport) throws -> any Provider {
        try AWSDRSProvider(account: account, transport: transport)
    }

    public static func demoAccount(id: String, endpoint: String, options: SimulatorOptions) -> AccountSettings {
        AccountSettings(
            id: id, provider: name, region: options.region ?? defaultRegion, endpoint: endpoint,
            credentials: Credentials(accessKey: options.accessKey, secretKey: options.secretKey))
    }
}
