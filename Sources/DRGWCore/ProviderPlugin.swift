import Foundation

/// Options of `drgw simulate <provider>`.
public struct SimulatorOptions: Sendable {
    public var host: String
    public var port: Int
    public var accessKey: String
    public var secretKey: String
    /// Cloud-specific simulator settings (`drgw simulate --setting KEY=VALUE`), read by the
    /// provider's simulator and demo account, e.g. the project id a Huawei simulator serves.
    public var settings: [String: String] = [:]
    public var region: String?
    /// Seconds an async job takes from start to its end.
    public var jobSeconds: Double
    /// Share of requests (0…1) answered with an injected fault.
    public var faultRate: Double
    /// Seed for the fault injector, so a soak test is repeatable.
    public var randomSeed: UInt64?
    /// Hold back the answer of the first request of this action (after it took effect), to
    /// test what a client does when it never hears back (e.g. `createDrill`, `StartPairDrill`).
    public var holdAction: String?
    /// How long that answer is held.
    public var holdSeconds: Double = 0
    /// Service time added to every answer of an accepted request, like a remote cloud's network
    /// and processing time (benchmarks use it to keep the machine out of CPU saturation).
    public var latencySeconds: Double = 0
    /// Each answer's service time varies uniformly by up to this much either way (real APIs are
    /// never constant; a constant time makes every client's requests return in lock-step waves).
    public var latencyJitterSeconds: Double = 0
    /// A bearer token the simulator accepts instead of a signature, where the provider has such a
    /// mode (Huawei IAM `X-Auth-Token`); ignored by the others.
    public var authToken: String?
    /// Seconds a drill takes from its create to ready (`jobSeconds` when nil): the RTO a drill measures.
    public var drillSeconds: Double?
    /// Seconds between two completed replication cycles where replication is asynchronous
    /// (Alibaba): the recovery point lags behind by between a fifth of it and 1.2 times it.
    public var replicationCycleSeconds: Double = 120
    /// Fault mode: a drill delete reports success but the drill stays (Huawei: the job succeeds and
    /// the drill is `available` again; Alibaba: the drill leaves the list for 3 s, then is back).
    public var phantomDeletes = false
    /// Fault mode: every asynchronous job ends failed instead of succeeding, with nothing changed
    /// (where the provider has jobs that can fail: Huawei `FAIL` with an error code).
    public var failJobs = false

    public init(
        host: String = "127.0.0.1", port: Int = 0, accessKey: String, secretKey: String,
        region: String? = nil, jobSeconds: Double = 2, faultRate: Double = 0,
        randomSeed: UInt64? = nil
    ) {
        self.host = host
        self.port = port
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.region = region
        self.jobSeconds = jobSeconds
        self.faultRate = faultRate
        self.randomSeed = randomSeed
    }
}

/// A bad account setting: the key within the account's config block (e.g. `projectId`,
/// `credentials`) and what is wrong with it, worded to follow the key.
public struct AccountSettingProblem: Sendable, Equatable, CustomStringConvertible {
    public var key: String
    public var reason: String

    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    public var description: String { "\(key) \(reason)" }
}

/// A running provider simulator: the real upstream wire format on a local port.
public protocol ProviderSimulator: Sendable {
    /// Every request the simulator received, for tests and benchmarks.
    var requestLog: RequestLog { get }
    /// Human lines describing the seeded resources (ids), printed at startup.
    var seedSummary: [String] { get }
    /// Serves until the task is cancelled; `onReady` gets the bound port.
    func run(onReady: @escaping @Sendable (Int) async -> Void) async throws
}

/// How a cloud plugs into the gateway: adding a cloud means one more conforming type in
/// its own folder, listed in the executable's catalog.
public protocol ProviderPlugin: Sendable {
    /// The contract's provider name, e.g. `huawei-sdrs`.
    static var name: String { get }
    /// The region a simulator and a config default to.
    static var defaultRegion: String { get }
    /// The keys of an account's config block this cloud reads besides the common ones (`id`,
    /// `provider`, `region`, `endpoint`, `credentials`, `timeouts`, `retry`, …); their values
    /// arrive in `AccountSettings.options`. Any other key is refused as unknown.
    static var accountKeys: [String] { get }
    /// Checks an account's cloud-specific settings; each problem names the key (relative to the
    /// account's block) and what is wrong with it.
    static func validate(account: AccountSettings) -> [AccountSettingProblem]
    /// Builds the adapter for one account.
    static func makeProvider(account: AccountSettings, transport: any HTTPTransport) throws -> any Provider
    /// An account of the demo, given the simulator's base URL and credentials.
    static func demoAccount(id: String, endpoint: String, options: SimulatorOptions) -> AccountSettings
    /// The id of this cloud's account in `drgw demo` (default `<name>-demo`).
    static var demoAccountId: String { get }
}

extension ProviderPlugin {
    public static var demoAccountId: String { name + "-demo" }
    public static var accountKeys: [String] { [] }
}

/// A cloud's simulator, in a target of its own next to the adapter's (so that the adapter never
/// links the HTTP server the simulator needs); listed in the executable's catalog.
public protocol SimulatorPlugin: Sendable {
    /// The provider whose wire format the simulator speaks.
    static var provider: any ProviderPlugin.Type { get }
    /// Builds a simulator.
    static func makeSimulator(options: SimulatorOptions) -> any ProviderSimulator
}
