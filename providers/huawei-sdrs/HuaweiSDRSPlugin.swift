import DRGWCore
import Foundation

/// Plugs Huawei Cloud SDRS into the gateway: adapter and demo account (the simulator plugs in
/// from its own target, `HuaweiSDRSSimulatorPlugin`).
public enum HuaweiSDRSPlugin: ProviderPlugin {
    public static let name = "huawei-sdrs"
    public static let demoAccountId = "hw-demo"
    public static let defaultRegion = "ap-southeast-3"
    /// `projectId`: the SDRS project every request is scoped to.
    public static let accountKeys = ["projectId"]
    /// The project id of the simulator and the demo account unless `--setting projectId=…` says otherwise.
    public static let demoProjectId = "0605767a3300d5762fb7c0186d9e1779"

    /// A project id, and AK/SK or an IAM token, are required.
    public static func validate(account: AccountSettings) -> [AccountSettingProblem] {
        var problems: [AccountSettingProblem] = []
        if account.projectId?.isEmpty ?? true {
            problems.append(AccountSettingProblem(key: "projectId", reason: "is required for huawei-sdrs accounts"))
        }
        let c = account.credentials
        let hasKeys = !(c.accessKey?.isEmpty ?? true) && !(c.secretKey?.isEmpty ?? true)
        let hasToken = !(c.authToken?.isEmpty ?? true)
        if !hasKeys && !hasToken {
            problems.append(AccountSettingProblem(key: "credentials", reason: "need accessKeyEnv and secretKeyEnv, or authTokenEnv"))
        }
        return problems
    }

    public static func makeProvider(account: AccountSettings, transport: any HTTPTransport) throws -> any Provider {
        try HuaweiSDRSProvider(account: account, transport: transport)
    }

    public static func demoAccount(id: String, endpoint: String, options: SimulatorOptions) -> AccountSettings {
        AccountSettings(
            id: id, provider: name, region: options.region ?? defaultRegion, endpoint: endpoint,
            options: ["projectId": options.settings["projectId"] ?? demoProjectId],
            credentials: Credentials(accessKey: options.accessKey, secretKey: options.secretKey))
    }
}

extension AccountSettings {
    /// The SDRS project id (the account's `projectId`).
    public var projectId: String? {
        get { options["projectId"] }
        set { options["projectId"] = newValue }
    }
}
