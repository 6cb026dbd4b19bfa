import DRGWCore
import DRGWTesting
import DRGWTransport
import Foundation
import Testing

@testable import HuaweiSDRS
@testable import HuaweiSDRSSimulation

/// Runs a simulator on an ephemeral 127.0.0.1 port and an adapter pointed at it over CurlTransport.
struct SDRSSimulatorHarness {
    static let accessKey = "HPUAEXAMPLEAK0000001"
    static let secretKey = "exampleSecretKey/0123456789abcdefghijklmnopqrstuv"

    let simulator: HuaweiSDRSSimulator
    let port: Int
    let transport: CurlTransport

    var endpoint: String { "http://127.0.0.1:\(port)" }

    func provider(secretKey: String = Self.secretKey, limits: UpstreamLimits = UpstreamLimits(baseBackoff: 0.05))
        throws -> HuaweiSDRSProvider
    {
        let account = AccountSettings(
            id: "hw-test", provider: "huawei-sdrs", region: "ap-southeast-3", endpoint: endpoint,
            options: ["projectId": simulator.projectId], credentials: Credentials(accessKey: Self.accessKey, secretKey: secretKey), limits: limits)
        return try HuaweiSDRSProvider(account: account, transport: transport)
    }

    /// Requests that reached the simulator for a route (e.g. `createDrill`).
    func requests(_ action: String) -> [RecordedRequest] {
        simulator.requestLog.filter { $0.action == action }
    }

    static func with<T>(
        jobSeconds: Double = 0.3, faultRate: Double = 0, seed: UInt64 = 7, authToken: String? = nil,
        _ body: (SDRSSimulatorHarness) async throws -> T
    ) async throws -> T {
        var options = SimulatorOptions(
            port: 0, accessKey: accessKey, secretKey: secretKey, jobSeconds: jobSeconds, faultRate: faultRate,
            randomSeed: seed)
        options.authToken = authToken  // as `drgw simulate --auth-token-env` sets it
        let simulator = HuaweiSDRSSimulatorPlugin.makeSimulator(options: options) as! HuaweiSDRSSimulator
        // Stopped gracefully, never cancelled (see GracefulTask).
        return try await GracefulTask.withServer({ try await simulator.run(onReady: $0) }) { port in
            let transport = CurlTransport(userAgent: "drgw-tests/0.1")
            defer { transport.shutdown() }
            return try await body(SDRSSimulatorHarness(simulator: simulator, port: port, transport: transport))
        }
    }

    /// Polls a job until it ends or the deadline passes.
    static func finish(
        _ job: UpstreamJob, on provider: HuaweiSDRSProvider, deadline seconds: Double = 15
    ) async throws -> JobProgress {
        let deadline = ContinuousClock.now + .seconds(seconds)
        let context = CallContext(requestId: "poll")
        while ContinuousClock.now < deadline {
            let state = try await provider.progress(of: job, context: context)
            switch state {
            case .running, .creating: break
            case .succeeded, .failed: return state
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("job \(job.kind) did not end before the deadline")
        return .running
    }
}

/// Expects `body` to throw a `Problem` with `code`.
@discardableResult
func expectProblem(
    _ code: ProblemCode, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async -> Problem? {
    do {
        try await body()
        Issue.record("expected problem \(code), got success", sourceLocation: sourceLocation)
        return nil
    } catch let problem as Problem {
        #expect(problem.code == code.rawValue, sourceLocation: sourceLocation)
        return problem
    } catch {
        Issue.record("expected problem \(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
