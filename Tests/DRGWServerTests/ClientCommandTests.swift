import DRGWCore
import DRGWTesting
import Foundation
import HuaweiSDRS
import HuaweiSDRSSimulation
import Logging
import Testing

@testable import DRGWServer

/// The built `drgw` binary as a client (contract §8) against a live gateway and the Huawei
/// simulator over loopback: output, exit codes and idempotency as a script sees them.
@Suite("drgw client commands (built binary, live gateway)", .enabled(if: FileManager.default.isExecutableFile(atPath: GatewayProcess.binary)))
struct ClientCommandTests {
    /// One run of the binary.
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:]
        }
    }

    /// Runs `drgw args…` with `environment` added, without blocking a cooperative thread.
    static func drgw(_ args: [String], environment: [String: String]) async throws -> Run {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("DRGW_") }
        env.merge(environment) { _, new in new }
        let outcome = try await ChildProcess.run(GatewayProcess.binary, args, environment: env, limit: .seconds(120))
        return Run(status: outcome.timedOut ? -1 : outcome.status, stdout: outcome.stdout, stderr: outcome.stderr)
    }

    /// A gateway with one Huawei account (`hw-cli`, 3 s jobs) for `key`; `body` gets the gateway's
    /// environment for the binary and the simulator.
    static func withGateway(
        jobSeconds: Double = 3, failJobs: Bool = false,
        _ body: @Sendable (_ env: [String: String], _ simulator: RunningSimulator, _ key: String) async throws -> Void
    ) async throws {
        var options = SimulatorOptions(port: 0, accessKey: "HPUAEXAMPLEAK0000777", secretKey: "cli-secret-\(UUID().uuidString)", jobSeconds: jobSeconds)
        options.failJobs = failJobs
        try await LiveGateway.withHuawei(account: "hw-cli", options: options) { gateway, simulator in
            try await body(["DRGW_URL": gateway.baseURL, "DRGW_API_KEY": gateway.key], simulator, gateway.key)
        }
    }

    static let group = HuaweiSDRSSimulatorSeed.groupId

    @Test func aDrillWithWaitThenTheSameKeyAgainMakesOneUpstreamCreate() async throws {
        try await Self.withGateway { env, simulator, key in
            let created = try await Self.drgw(
                ["drills", "create", "--account", "hw-cli", "--group", Self.group, "--name", "cli_wait", "--cleanup-after", "PT1H", "--wait"],
                environment: env)
            #expect(created.status == 0, "\(created.stderr)")
            // Piped: JSON, the final drill.
            let drill = created.json
            #expect(drill["status"] as? String == "ready", "\(created.stdout)")
            #expect(drill["name"] as? String == "cli_wait")
            #expect(drill["expiresAt"] is String)
            #expect(!created.stderr.contains("\r"), "a status line was drawn on a pipe")
            #expect(!created.stdout.contains(key) && !created.stderr.contains(key), "the API key was printed")
            // The key it made up is on stderr; a re-run with it does not create a second drill.
            let printed = try #require(created.stderr.firstMatch(of: /--idempotency-key (\S+)/)?.1)
            let again = try await Self.drgw(
                ["drills", "create", "--account", "hw-cli", "--group", Self.group, "--name", "cli_wait", "--cleanup-after", "PT1H",
                 "--idempotency-key", String(printed), "--wait"],
                environment: env)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.json["id"] as? String == drill["id"] as? String)
            #expect(!again.stderr.contains("Idempotency-Key"), "a given key is not announced as a new one")
            #expect(simulator.simulator.requestLog.filter { $0.action == "createDrill" }.count == 1)

            // The report, as JSON and as CSV.
            let drillId = try #require(drill["id"] as? String)
            let report = try await Self.drgw(["drills", "report", "--account", "hw-cli", drillId, "--output", "json"], environment: env)
            #expect(report.status == 0)
            #expect(report.json["drillId"] as? String == drillId)
            #expect(report.json["rtoSeconds"] is Double)
            let csv = try await Self.drgw(["reports", "list", "--format", "csv"], environment: env)
            #expect(csv.status == 0)
            let lines = csv.stdout.split(whereSeparator: \.isNewline)
            #expect(lines.count == 2, "\(csv.stdout)")
            #expect(lines.first?.contains("rtoSeconds") == true)
            #expect(lines.last?.contains(drillId) == true)

            // A table when asked: the header and one aligned row.
            let table = try await Self.drgw(["drills", "list", "--account", "hw-cli", "--output", "table"], environment: env)
            #expect(table.status == 0)
            let rows = table.stdout.split(separator: "\n")
            #expect(rows.first?.hasPrefix("ID") == true && rows.first?.contains("STATUS") == true, "\(table.stdout)")
            #expect(rows.count == 2 && rows.last?.contains("cli_wait") == true)
        }
    }

    @Test func aWaitThatTimesOutIsResumedByOperationsWait() async throws {
        try await Self.withGateway(jobSeconds: 4) { env, _, _ in
            let started = try await Self.drgw(
                ["drills", "create", "--account", "hw-cli", "--group", Self.group, "--name", "cli_slow", "--wait", "--timeout", "1"],
                environment: env)
            #expect(started.status == 75, "\(started.stderr)")
            let id = try #require(started.stderr.firstMatch(of: /drgw operations wait (\S+)/)?.1, "\(started.stderr)")
            let resumed = try await Self.drgw(["operations", "wait", String(id), "--timeout", "60"], environment: env)
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(resumed.json["name"] as? String == "cli_slow")
            #expect(resumed.json["status"] as? String == "ready")
        }
    }

    @Test func anOperationThatEndsFailedExitsOne() async throws {
        // The simulator's jobs end FAIL: the create is accepted, its operation ends failed.
        try await Self.withGateway(jobSeconds: 1, failJobs: true) { env, _, _ in
            let waited = try await Self.drgw(
                ["drills", "create", "--account", "hw-cli", "--group", Self.group, "--name", "cli_fails", "--wait", "--timeout", "60"],
                environment: env)
            #expect(waited.status == 1, "\(waited.stderr)")
            #expect(waited.stderr.contains("failed"), "\(waited.stderr)")
            #expect(waited.json["status"] as? String == "failed", "the failed operation is printed: \(waited.stdout)")
            #expect(((waited.json["error"] as? [String: Any])?["providerCode"] as? String) == "SDRS.1106", "\(waited.stdout)")
        }
    }

    @Test func errorsMapToTheContractsExitCodes() async throws {
        try await Self.withGateway { env, _, _ in
            let missing = try await Self.drgw(["operations", "get", "op-does-not-exist"], environment: env)
            #expect(missing.status == 66)
            #expect(missing.stderr.contains("not_found"), "\(missing.stderr)")

            var wrongKey = env
            wrongKey["DRGW_API_KEY"] = "not-the-key-\(UUID().uuidString)"
            let denied = try await Self.drgw(["accounts", "list"], environment: wrongKey)
            #expect(denied.status == 77)
            #expect(denied.stderr.contains("unauthenticated"))
            #expect(!denied.stderr.contains(wrongKey["DRGW_API_KEY"]!))

            let invalid = try await Self.drgw(
                ["drills", "create", "--account", "hw-cli", "--group", Self.group, "--name", "no spaces allowed"], environment: env)
            #expect(invalid.status == 65)
            #expect(invalid.stderr.contains("invalid_request") && invalid.stderr.contains("name:"), "\(invalid.stderr)")

            let usage = try await Self.drgw(["drills", "create", "--group", Self.group], environment: env)
            #expect(usage.status == 64, "\(usage.stderr)")

            let accounts = try await Self.drgw(["accounts", "list", "--output", "json"], environment: env)
            #expect(accounts.status == 0)
            #expect((accounts.json["items"] as? [[String: Any]])?.map { $0["id"] as? String } == ["hw-cli"])

            let port = try TestServerPorts.closedPort()
            let unreachable = try await Self.drgw(["accounts", "list", "--url", "http://127.0.0.1:\(port)"], environment: env)
            #expect(unreachable.status == 69)
            #expect(unreachable.stderr.contains("http://127.0.0.1:\(port)/v1/accounts"), "\(unreachable.stderr)")
        }
    }

    @Test func shellCompletionMentionsTheClientCommands() async throws {
        let script = try await Self.drgw(["--generate-completion-script", "bash"], environment: [:])
        #expect(script.status == 0)
        for word in ["drills", "operations", "reports", "schedules", "--idempotency-key"] {
            #expect(script.stdout.contains(word), "\(word) missing from the bash completion")
        }
    }
}
