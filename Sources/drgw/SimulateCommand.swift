import ArgumentParser
import DRGWCore
import Foundation
import Logging
import ServiceLifecycle

/// `drgw simulate <provider>`: one provider simulator alone.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run one provider simulator (the provider's real wire format) on a local port."
    )

    @Argument(help: ArgumentHelp("The provider: \(ProviderCatalog.names).", valueName: "provider"))
    var provider: String

    @Option(name: .long, help: "Port (0 picks a free one).")
    var port: Int = 0

    @Option(name: .long, help: "Listen address.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "Access key the simulator accepts.")
    var accessKey: String

    @Option(name: .long, help: "Secret key the simulator verifies signatures with.")
    var secretKey: String

    @Option(name: .long, help: "An account setting of this cloud the simulator serves, as KEY=VALUE (repeatable; the keys its accounts take besides the common ones, e.g. projectId).")
    var setting: [String] = []

    @Option(name: .long, help: "Region.")
    var region: String?

    @Option(name: .long, help: "Seconds an async job takes.")
    var jobSeconds: Double = 2

    @Option(name: .long, help: "Share of requests (0...1) answered with an injected fault.")
    var faultRate: Double = 0

    @Option(name: .long, help: "Seed of the fault injector.")
    var seed: UInt64?

    @Option(name: .long, help: "Hold back the answer of the first request of this action (e.g. createDrill, StartPairDrill).")
    var holdAction: String?

    @Option(name: .long, help: "Seconds that answer is held.")
    var holdSeconds: Double = 0

    @Option(name: .long, help: "Environment variable holding an IAM token the simulator accepts in X-Auth-Token instead of a signature (providers with a token mode).")
    var authTokenEnv: String?

    @Option(name: .long, help: "Milliseconds every accepted answer takes (a remote cloud's service time).")
    var latencyMs: Double = 0

    @Option(name: .long, help: "Milliseconds by which each answer's time varies, uniformly either way (at most --latency-ms).")
    var latencyJitterMs: Double = 0

    @Option(name: .long, help: "Seconds a drill takes to become ready (default: --job-seconds).")
    var drillSeconds: Double?

    @Option(name: .long, help: "Seconds between completed replication cycles of an asynchronous pair (providers that replicate asynchronously): the recovery point's lag.")
    var replicationCycleSeconds: Double = 120

    @Flag(name: .long, help: "Fault mode: drill deletes report success but the drill stays.")
    var phantomDeletes = false

    @Flag(name: .long, help: "Fault mode: every asynchronous job ends failed and changes nothing (Huawei).")
    var failJobs = false

    func validate() throws {
        guard ProviderCatalog.plugin(named: provider) != nil else {
            throw ValidationError("unknown provider '\(provider)'; known: " + ProviderCatalog.plugins.map { $0.name }.joined(separator: ", "))
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        _ = try settings()
        guard (0...1).contains(faultRate) else { throw ValidationError("--fault-rate must be between 0 and 1") }
        guard jobSeconds >= 0 else { throw ValidationError("--job-seconds must not be negative") }
        guard (drillSeconds ?? 0) >= 0 else { throw ValidationError("--drill-seconds must not be negative") }
        guard replicationCycleSeconds >= 1 else { throw ValidationError("--replication-cycle-seconds must be at least 1") }
        guard (0...60_000).contains(latencyMs) else { throw ValidationError("--latency-ms must be 0 to 60000") }
        guard (0...latencyMs).contains(latencyJitterMs) || latencyJitterMs == 0 else {
            throw ValidationError("--latency-jitter-ms must be 0 to --latency-ms")
        }
    }

    /// `--setting KEY=VALUE`s, each KEY one of the provider's account keys.
    func settings() throws -> [String: String] {
        let keys = ProviderCatalog.plugin(named: provider)?.accountKeys ?? []
        var settings: [String: String] = [:]
        for entry in setting {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, keys.contains(parts[0]), !parts[1].isEmpty else {
                let known = keys.isEmpty ? "none" : keys.joined(separator: ", ")
                throw ValidationError("--setting takes KEY=VALUE with KEY one of \(provider)'s account keys (\(known))")
            }
            settings[parts[0]] = parts[1]
        }
        return settings
    }

    func run() async throws {
        let logger = LogSetup.bootstrap(level: ProcessInfo.processInfo.environment["DRGW_LOG_LEVEL"] ?? "warning")
        let plugin = ProviderCatalog.plugin(named: provider)!
        var options = SimulatorOptions(
            host: host, port: port, accessKey: accessKey, secretKey: secretKey, region: region,
            jobSeconds: jobSeconds, faultRate: faultRate, randomSeed: seed
        )
        options.settings = try settings()
        options.holdAction = holdAction
        options.holdSeconds = holdSeconds
        options.latencySeconds = latencyMs / 1000
        options.latencyJitterSeconds = latencyJitterMs / 1000
        options.drillSeconds = drillSeconds
        options.replicationCycleSeconds = replicationCycleSeconds
        options.phantomDeletes = phantomDeletes
        options.failJobs = failJobs
        if let name = authTokenEnv {
            guard let token = ProcessInfo.processInfo.environment[name], !token.isEmpty else {
                throw ValidationError("--auth-token-env: the environment variable \(name) is not set")
            }
            options.authToken = token
        }
        let host = options.host
        guard let simulation = ProviderCatalog.simulator(named: provider) else {
            throw ValidationError("\(provider) has no simulator in this build")
        }
        let simulator = simulation.makeSimulator(options: options)
        let name = provider
        let service = SimulatorService(simulator: simulator) { port in
            var lines = ["drgw simulate \(name): listening on http://\(host):\(port)"]
            lines += simulator.seedSummary.map { "  " + $0 }
            emit(lines.joined(separator: "\n"))
        }
        let group = ServiceGroup(
            configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await group.run()
    }
}

/// Runs a simulator as a lifecycle service. Its server's own service group follows this group's
/// graceful shutdown (stop accepting, finish what was accepted); cancelling it instead could trap
/// in NIO when a connection is being accepted at that moment.
struct SimulatorService: Service {
    let simulator: any ProviderSimulator
    let onReady: @Sendable (Int) async -> Void

    func run() async throws {
        try await simulator.run(onReady: onReady)
    }
}
