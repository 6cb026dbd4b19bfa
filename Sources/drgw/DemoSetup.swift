import Crypto
import DRGWCore
import DRGWServer
import Foundation

/// The demo's fixed shape: one simulator per provider, one account each, one tenant.
struct DemoSetup: Sendable {
    struct Simulator: Sendable {
        var accountId: String
        var plugin: any ProviderPlugin.Type
        var options: SimulatorOptions
        var instance: any ProviderSimulator
    }

    let key: String
    let simulators: [Simulator]

    init(key: String, jobSeconds: Double) {
        self.key = key
        let secret = { (0..<20).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined() }
        simulators = ProviderCatalog.simulators.map { simulation in
            let plugin = simulation.provider
            let id = plugin.demoAccountId
            let options = SimulatorOptions(
                host: "127.0.0.1", port: 0, accessKey: "DEMO" + id.uppercased().replacingOccurrences(of: "-", with: "") + "AK",
                secretKey: secret(), jobSeconds: jobSeconds
            )
            return Simulator(accountId: id, plugin: plugin, options: options, instance: simulation.makeSimulator(options: options))
        }
    }

    func config(simulatorPorts: [Int], gatewayPort: Int, database: String) -> GatewayConfig {
        var config = GatewayConfig()
        config.server.host = "127.0.0.1"
        config.server.port = gatewayPort
        config.store.url = "sqlite://" + database
        config.rateLimit.requestsPerSecond = 1000
        config.rateLimit.burst = 2000
        config.rateLimit.failedAuthPerSecond = 10_000
        config.rateLimit.failedAuthBurst = 10_000
        // Quick cleanups, so that a `cleanupAfter` of a few seconds shows its whole course.
        config.evidence.sweepSeconds = 0.5
        config.evidence.verifyAfterSeconds = 1
        config.accounts = zip(simulators, simulatorPorts).map { simulator, port in
            simulator.plugin.demoAccount(id: simulator.accountId, endpoint: "http://127.0.0.1:\(port)", options: simulator.options)
        }
        config.tenants = [
            GatewayConfig.Tenant(
                name: "demo", apiKeySha256: [Digest.sha256Hex(key)], accounts: simulators.map(\.accountId)
            )
        ]
        return config
    }
}
