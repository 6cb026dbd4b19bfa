import AlibabaEBS
@testable import AlibabaEBSSimulation
import DRGWCore
import DRGWTesting
import DRGWTransport
import Foundation
import Testing

/// Runs an `AlibabaEBSSimulator` on 127.0.0.1 (ephemeral port) and adapters against it over
/// real HTTP with `CurlTransport`.
struct SimulatorHarness: Sendable {
    static let accessKey = "LTAI5tHARNESSkey"
    static let secretKey = "HarnessSecret0123456789abcdefXYZ"

    let simulator: AlibabaEBSSimulator
    let port: Int
    let transport: CurlTransport

    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// An account of the simulator, V3 by default.
    func account(signature: String = "v3", secret: String = SimulatorHarness.secretKey, maxAttempts: Int = 4) -> AccountSettings {
        AccountSettings(
            id: "ali-test", provider: "alibaba-ebs", region: simulator.region, endpoint: endpoint, options: ["signature": signature],
            credentials: Credentials(accessKey: Self.accessKey, secretKey: secret),
            limits: UpstreamLimits(connectTimeout: 2, requestTimeout: 10, maxAttempts: maxAttempts, retryBudgetSeconds: 10, baseBackoff: 0.02))
    }

    func provider(signature: String = "v3", secret: String = SimulatorHarness.secretKey, maxAttempts: Int = 4) throws -> AlibabaEBSProvider {
        try AlibabaEBSProvider(account: account(signature: signature, secret: secret, maxAttempts: maxAttempts), transport: transport)
    }

    /// Requests of one action, in arrival order.
    func requests(_ action: String) -> [RecordedRequest] {
        simulator.requestLog.filter { $0.action == action }
    }

    /// Writes (anything but `Describe*`) the simulator received.
    var writes: [RecordedRequest] {
        simulator.requestLog.filter { !($0.action ?? "").hasPrefix("Describe") }
    }

    static func run<T: Sendable>(
        jobSeconds: Double = 0.3, faultRate: Double = 0, seed: UInt64 = 7, _ body: @Sendable (SimulatorHarness) async throws -> T
    ) async throws -> T {
        let simulator = AlibabaEBSSimulator(
            options: SimulatorOptions(
                port: 0, accessKey: accessKey, secretKey: secretKey, jobSeconds: jobSeconds, faultRate: faultRate, randomSeed: seed))
        // Stopped gracefully, never cancelled (see GracefulTask).
        return try await GracefulTask.withServer({ try await simulator.run(onReady: $0) }) { port in
            let transport = CurlTransport()
            defer { transport.shutdown() }
            return try await body(SimulatorHarness(simulator: simulator, port: port, transport: transport))
        }
    }
}

/// Polls a job until it ends or the deadline passes.
func finish(_ job: UpstreamJob, with provider: some Provider, deadline seconds: Double = 10) async throws -> JobProgress {
    let context = CallContext(requestId: "poll")
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        let progress = try await provider.progress(of: job, context: context)
        if progress != .running { return progress }
        try await Task.sleep(for: .milliseconds(50))
    }
    return .running
}

/// The problem a call threw, or nil.
func problem(_ body: () async throws -> Void) async -> Problem? {
    do {
        try await body()
        return nil
    } catch let problem as Problem {
        return problem
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}
