import AlibabaEBS
import AlibabaEBSSimulation
import DRGWCore
import DRGWServer
import DRGWTransport
import Foundation
import HuaweiSDRS
import HuaweiSDRSSimulation
import Logging
import Testing

/// A gateway on 127.0.0.1 in front of one provider simulator, with drill-evidence settings, and
/// the calls the evidence tests make through it.
struct EvidenceRig: Sendable {
    let gateway: LiveGateway
    let simulator: any ProviderSimulator
    let simulatorEndpoint: String
    let account: String
    let provider: String

    /// Starts a simulator and a gateway with one account on it, runs `body`, stops both.
    static func with<T: Sendable>(
        _ plugin: any ProviderPlugin.Type, options: SimulatorOptions, evidence: GatewayConfig.Evidence = EvidenceRig.fastEvidence,
        _ body: @Sendable (EvidenceRig) async throws -> T
    ) async throws -> T {
        let running = try await RunningSimulator.start(plugin, options: options)
        let account = "ev-\(plugin.name.prefix(3))-\(UUID().uuidString.prefix(8).lowercased())"
        let key = "evidence-key-" + UUID().uuidString
        var config = GatewayConfig()
        config.store.url = "sqlite::memory:"
        config.rateLimit.requestsPerSecond = 100_000
        config.rateLimit.burst = 100_000
        config.evidence = evidence
        config.accounts = [plugin.demoAccount(id: account, endpoint: running.endpoint, options: options)]
        config.tenants = [GatewayConfig.Tenant(name: "evidence", apiKeySha256: [Digest.sha256Hex(key)], accounts: [account])]
        var logger = Logger(label: "evidence-tests")
        logger.logLevel = .critical
        let result: Result<T, any Error>
        do {
            result = .success(
                try await runGateway(config: config, plugins: [plugin], logger: logger) { port, client in
                    try await body(
                        EvidenceRig(
                            gateway: LiveGateway(port: port, key: key, client: client), simulator: running.simulator,
                            simulatorEndpoint: running.endpoint, account: account, provider: plugin.name))
                })
        } catch {
            result = .failure(error)
        }
        await running.stop()
        return try result.get()
    }

    /// A sweeper and scheduler that act within a fraction of a second.
    static var fastEvidence: GatewayConfig.Evidence {
        var evidence = GatewayConfig.Evidence()
        evidence.sweepSeconds = 0.2
        evidence.verifyAfterSeconds = 0.5
        evidence.scheduleTickSeconds = 0.2
        return evidence
    }

    /// One call with the tenant's key; the JSON object answer.
    func call(_ method: String, _ path: String, json: String? = nil, headers: [(name: String, value: String)] = []) async throws
        -> (Int, [String: Any])
    {
        let response = try await gateway.send(method, path, json: json, headers: headers)
        return (response.status, response.jsonObject)
    }

    /// Creates a drill with a fresh Idempotency-Key; returns the operation.
    func createDrill(group: String, extra: String = "", name: String = "ev_\(UUID().uuidString.prefix(8))") async throws -> [String: Any] {
        let body = #"{"name":"\#(name)","protectionGroupId":"\#(group)"\#(extra)}"#
        let (status, operation) = try await call(
            "POST", "/v1/accounts/\(account)/drills", json: body, headers: [("Idempotency-Key", "ev-\(UUID().uuidString)")])
        try #require(status == 202, "create answered \(status): \(operation)")
        return operation
    }

    /// Polls an operation until it ends (30 s at most).
    func finish(_ operationId: String) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let (_, operation) = try await call("GET", "/v1/operations/\(operationId)")
            if operation["status"] as? String != "running" { return operation }
            try #require(ContinuousClock.now < deadline, "operation \(operationId) did not end")
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Creates a drill and waits for its create to end; returns the drill id.
    func readyDrill(group: String, extra: String = "") async throws -> String {
        let operation = try await createDrill(group: group, extra: extra)
        let final = try await finish(try #require(operation["id"] as? String))
        try #require(final["status"] as? String == "succeeded", "create ended: \(final)")
        return try #require((final["resource"] as? [String: Any])?["id"] as? String)
    }

    func report(_ drillId: String) async throws -> [String: Any] {
        let (status, report) = try await call("GET", "/v1/accounts/\(account)/drills/\(drillId)/report")
        try #require(status == 200, "report answered \(status): \(report)")
        return report
    }

    /// Polls the drill's report until `done` holds (30 s at most).
    func waitReport(_ drillId: String, seconds: Int = 30, until done: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while true {
            let current = try await report(drillId)
            if done(current) { return current }
            try #require(ContinuousClock.now < deadline, "report never got there: \(current)")
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The value of one series on `/metrics`, matched by name and labels.
    func metric(_ name: String, _ labels: [String: String]) async throws -> Double? {
        let text = String(decoding: try await gateway.get("/metrics").body, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") {
            guard labels.allSatisfy({ line.contains("\($0.key)=\"\($0.value)\"") }), let value = line.split(separator: " ").last
            else { continue }
            return Double(value)
        }
        return nil
    }
}
