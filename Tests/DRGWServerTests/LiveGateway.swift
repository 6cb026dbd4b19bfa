import AlibabaEBSSimulation
import AWSDRSSimulation
import DRGWCore
import DRGWTesting
import DRGWServer
import DRGWStore
import DRGWTransport
import Foundation
import Hummingbird
import HuaweiSDRS
import HuaweiSDRSSimulation
import Logging

/// A gateway on a real 127.0.0.1 socket, driven over HTTP by a `CurlTransport` client, with
/// real provider plugins in front of simulators (or closed ports).
struct LiveGateway: Sendable {
    let port: Int
    let key: String
    let client: CurlTransport

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// One call to the gateway with the tenant's key.
    func send(
        _ method: String, _ path: String, json: String? = nil, headers extra: [(name: String, value: String)] = []
    ) async throws -> UpstreamResponse {
        var headers: [(name: String, value: String)] = [("Authorization", "Bearer \(key)")]
        if json != nil { headers.append(("Content-Type", "application/json")) }
        headers += extra
        return try await client.send(
            UpstreamRequest(
                method: method, url: baseURL + path, headers: headers, body: Array((json ?? "").utf8), timeout: 30))
    }

    /// Unauthenticated GET (e.g. `/metrics`).
    func get(_ path: String) async throws -> UpstreamResponse {
        try await client.send(UpstreamRequest(method: "GET", url: baseURL + path))
    }

    /// Starts a gateway for `accounts` (one tenant may use them all), runs `body`, stops it.
    static func with<T: Sendable>(
        accounts: [AccountSettings], plugins: [any ProviderPlugin.Type], breakers: [String: BreakerSettings] = [:],
        _ body: @Sendable (LiveGateway) async throws -> T
    ) async throws -> T {
        let key = "live-key-" + UUID().uuidString
        var config = liveConfig(accounts: accounts, tenant: "live", key: key)
        config.breakers = breakers
        var logger = Logger(label: "live-gateway")
        logger.logLevel = .critical
        return try await runGateway(config: config, plugins: plugins, logger: logger) { port, client in
            try await body(LiveGateway(port: port, key: key, client: client))
        }
    }
}

extension LiveGateway {
    /// A Huawei simulator and a gateway with one account `id` on it (its tenant holds only that
    /// account); `configure` adjusts the config. The simulator stops after the gateway.
    static func withHuawei(
        account id: String, options: SimulatorOptions, configure: (inout GatewayConfig) -> Void = { _ in },
        stages: StageTimings? = nil, _ body: @Sendable (LiveGateway, RunningSimulator) async throws -> Void
    ) async throws {
        let simulator = try await RunningSimulator.start(HuaweiSDRSPlugin.self, options: options)
        var account = HuaweiSDRSPlugin.demoAccount(id: id, endpoint: simulator.endpoint, options: options)
        account.limits = UpstreamLimits(connectTimeout: 1, requestTimeout: 2, maxAttempts: 1, retryBudgetSeconds: 1, baseBackoff: 0.01)
        let key = "\(id)-key-" + UUID().uuidString
        var config = liveConfig(accounts: [account], tenant: id, key: key)
        configure(&config)
        var logger = Logger(label: "live-\(id)")
        logger.logLevel = .critical
        do {
            try await runGateway(config: config, plugins: [HuaweiSDRSPlugin.self], logger: logger, stages: stages) { port, client in
                try await body(LiveGateway(port: port, key: key, client: client), simulator)
            }
        } catch {
            await simulator.stop()
            throw error
        }
        await simulator.stop()
    }
}

/// A gateway configuration for live tests: `accounts`, one tenant holding them all with `key`,
/// rate limits out of the way, an in-memory store.
func liveConfig(accounts: [AccountSettings], tenant: String, key: String) -> GatewayConfig {
    var config = GatewayConfig()
    config.server.host = "127.0.0.1"
    config.server.port = 0
    config.store.url = "sqlite::memory:"
    config.rateLimit.requestsPerSecond = 100_000
    config.rateLimit.burst = 100_000
    config.rateLimit.failedAuthPerSecond = 10_000
    config.rateLimit.failedAuthBurst = 10_000
    config.accounts = accounts
    config.tenants = [GatewayConfig.Tenant(name: tenant, apiKeySha256: [Digest.sha256Hex(key)], accounts: accounts.map(\.id))]
    return config
}

/// Runs a gateway for `config` on a real 127.0.0.1 socket (port 0, in-memory SQLite), hands
/// `body` its port and a client transport, then stops everything.
func runGateway<T: Sendable>(
    config: GatewayConfig, plugins: [any ProviderPlugin.Type], logger: Logger, stages: StageTimings? = nil,
    _ body: @Sendable (Int, CurlTransport) async throws -> T
) async throws -> T {
    var config = config
    config.server.host = "127.0.0.1"
    config.server.port = 0
    let store = try await SQLiteStore.inMemory()
    let upstream = CurlTransport(userAgent: "drgw-tests/0.1")
    let client = CurlTransport(userAgent: "drgw-test-client/0.1")
    defer {
        client.shutdown()
        upstream.shutdown()
    }
    let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
    var deps = GatewayDependencies(config: config, plugins: plugins, transport: upstream, store: store, logger: logger)
    deps.stages = stages
    let app = try buildApplication(
        deps,
        onServerRunning: { port in
            portSink.yield(port)
            portSink.finish()
        })
    // Stopped gracefully, never cancelled (see GracefulTask).
    let running = GracefulTask {
        defer { portSink.finish() }
        try await app.runService(gracefulShutdownSignals: [])
    }
    var iterator = ports.makeAsyncIterator()
    let result: Result<T, any Error>
    if let port = await iterator.next(), port > 0 {
        do {
            result = .success(try await body(port, client))
        } catch {
            result = .failure(error)
        }
    } else {
        result = .failure(LiveGatewayError(message: "the gateway did not start"))
    }
    await running.stop()
    await store.close()
    return try result.get()
}

/// A live-gateway test could not run.
struct LiveGatewayError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// The simulator of `plugin`, paired as the executable's catalog pairs them.
func makeSimulator(_ plugin: any ProviderPlugin.Type, options: SimulatorOptions) throws -> any ProviderSimulator {
    let simulators: [any SimulatorPlugin.Type] = [HuaweiSDRSSimulatorPlugin.self, AlibabaEBSSimulatorPlugin.self, AWSDRSSimulatorPlugin.self]
    guard let simulation = simulators.first(where: { $0.provider.name == plugin.name }) else {
        throw LiveGatewayError(message: "no simulator for \(plugin.name)")
    }
    return simulation.makeSimulator(options: options)
}

/// A provider simulator running on a real socket until it is stopped (gracefully: see GracefulTask).
struct RunningSimulator: Sendable {
    let simulator: any ProviderSimulator
    let port: Int
    let running: GracefulTask

    var endpoint: String { "http://127.0.0.1:\(port)" }

    static func start(_ plugin: any ProviderPlugin.Type, options: SimulatorOptions) async throws -> RunningSimulator {
        let simulator = try makeSimulator(plugin, options: options)
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let running = GracefulTask {
            defer { sink.finish() }
            try await simulator.run { port in
                sink.yield(port)
                sink.finish()
            }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            await running.stop()
            throw LiveGatewayError(message: "the \(plugin.name) simulator did not start")
        }
        return RunningSimulator(simulator: simulator, port: port, running: running)
    }

    func stop() async {
        await running.stop()
    }

    /// For a `defer`: starts the stop without waiting for it.
    func stopSoon() {
        running.stopSoon()
    }
}

extension UpstreamResponse {
    /// The body as a JSON object (empty when it is not one).
    var jsonObject: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }
}
