import AlibabaEBS
import AlibabaEBSSimulation
import DRGWCore
import DRGWTesting
import DRGWTransport
import Foundation
import HuaweiSDRS
import HuaweiSDRSSimulation
import Testing

/// Crash safety with the real `drgw serve` process: kill -9 while an upstream create is in
/// flight, restart on the same SQLite file, replay the key.
@Suite("Crash recovery (real drgw serve process)", .serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: GatewayProcess.binary)))
struct CrashRecoveryTests {
    struct Setup {
        var plugin: any ProviderPlugin.Type
        var holdAction: String
        var upstreamWrites: Set<String>
    }

    static let setups: [Setup] = [
        Setup(plugin: HuaweiSDRSPlugin.self, holdAction: "createDrill", upstreamWrites: ["createDrill"]),
        Setup(plugin: AlibabaEBSPlugin.self, holdAction: "StartReplicaGroupDrill", upstreamWrites: ["StartReplicaGroupDrill", "StartPairDrill"]),
    ]

    /// A simulator in this process and a `drgw serve` process in front of it, on a temp SQLite file.
    struct Rig {
        let simulator: any ProviderSimulator
        let simulatorTask: GracefulTask
        let gateway: GatewayProcess
        let client: CurlTransport
        let key: String
        let directory: URL

        static func start(
            _ plugin: any ProviderPlugin.Type, options: SimulatorOptions, environment: [String: String] = [:], configExtra: String = ""
        ) async throws -> Rig {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("drgw-crash-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let simulator = try makeSimulator(plugin, options: options)
            let ports = AsyncStream<Int>.makeStream()
            let simulatorTask = GracefulTask { try await simulator.run { ports.continuation.yield($0) } }
            var iterator = ports.stream.makeAsyncIterator()
            guard let simulatorPort = await iterator.next() else { throw GatewayProcessError(message: "simulator did not start") }
            let key = "crash-key-\(UUID().uuidString)"
            let (configPath, env) = try writeConfig(
                directory: directory, plugin: plugin, endpoint: "http://127.0.0.1:\(simulatorPort)", options: options, key: key)
            if !configExtra.isEmpty {
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: configPath))
                handle.seekToEndOfFile()
                handle.write(Data(configExtra.utf8))
                try handle.close()
            }
            let client = CurlTransport()
            let gateway = GatewayProcess(configPath: configPath, environment: env.merging(environment) { _, new in new })
            try await gateway.start(client: client)
            return Rig(simulator: simulator, simulatorTask: simulatorTask, gateway: gateway, client: client, key: key, directory: directory)
        }

        func call(_ method: String, _ path: String, body: String? = nil, headers: [(name: String, value: String)] = []) async throws -> (Int, [String: Any]) {
            try await CrashRecoveryTests.call(client, method, gateway.base + path, key: key, body: body, headers: headers)
        }

        func stop() {
            gateway.abandon()
            simulatorTask.stopSoon()
            client.shutdown()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// Writes a config for one account on `endpoint`; returns its path and the env with secrets.
    static func writeConfig(
        directory: URL, plugin: any ProviderPlugin.Type, endpoint: String, options: SimulatorOptions, key: String,
        storeURL: String? = nil, extra: String = ""
    ) throws -> (String, [String: String]) {
        let account = plugin.demoAccount(id: "acct", endpoint: endpoint, options: options)
        var yaml = """
            store:
              url: \(storeURL ?? "sqlite://" + directory.appendingPathComponent("drgw.sqlite").path)
            idempotency:
              leaseSeconds: 1
            \(extra)
            logging:
              level: error
            tenants:
              - name: t
                apiKeySha256: ["\(Digest.sha256Hex(key))"]
                accounts: [acct]
            accounts:
              - id: acct
                provider: \(plugin.name)
                region: \(account.region)
                endpoint: \(endpoint)
                credentials:
                  accessKeyEnv: T_AK
                  secretKeyEnv: T_SK

            """
        for (key, value) in account.options.sorted(by: { $0.key < $1.key }) { yaml += "    \(key): \(value)\n" }
        let path = directory.appendingPathComponent("drgw.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, ["T_AK": options.accessKey, "T_SK": options.secretKey])
    }

    static func call(_ client: CurlTransport, _ method: String, _ url: String, key: String, body: String? = nil, headers: [(name: String, value: String)] = []) async throws -> (Int, [String: Any]) {
        var all: [(name: String, value: String)] = [("Authorization", "Bearer \(key)")] + headers
        if body != nil { all.append(("Content-Type", "application/json")) }
        let response = try await client.send(UpstreamRequest(method: method, url: url, headers: all, body: Array((body ?? "").utf8), timeout: 60))
        return (response.status, (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:])
    }

    @Test("kill -9 during an upstream create, restart, replay: one drill, same operation, succeeded", arguments: [0, 1])
    func killDuringCreate(index: Int) async throws {
        let setup = Self.setups[index]
        var options = SimulatorOptions(accessKey: "CRASHTESTAK0000001", secretKey: "crash-test-secret-\(UUID().uuidString)", jobSeconds: 0.3)
        options.holdAction = setup.holdAction
        options.holdSeconds = 4
        let rig = try await Rig.start(setup.plugin, options: options)
        defer { rig.stop() }

        let (listStatus, groups) = try await rig.call("GET", "/v1/accounts/acct/protection-groups")
        #expect(listStatus == 200)
        let items = groups["items"] as? [[String: Any]] ?? []
        let group = try #require(items.first { ($0["kind"] as? String ?? "group") == "group" && ($0["status"] as? String) == "protected" })
        let groupId = try #require(group["id"] as? String)
        let body = #"{"name":"crash_drill","protectionGroupId":"\#(groupId)"}"#
        let idempotency: [(name: String, value: String)] = [("Idempotency-Key", "create-1")]

        // The create reaches upstream and acts, but its answer is held; the gateway dies meanwhile.
        let pending = Task { _ = try? await rig.call("POST", "/v1/accounts/acct/drills", body: body, headers: idempotency) }
        let deadline = ContinuousClock.now + .seconds(20)
        while rig.simulator.requestLog.filter({ setup.upstreamWrites.contains($0.action ?? "") }).isEmpty {
            try #require(ContinuousClock.now < deadline, "the create never reached the simulator")
            try await Task.sleep(for: .milliseconds(20))
        }
        await rig.gateway.kill9()
        _ = await pending.value

        // Restart on the same SQLite file and replay the key until the lease has expired.
        try await rig.gateway.start(client: rig.client)
        var status = 0
        var operation: [String: Any] = [:]
        let replayDeadline = ContinuousClock.now + .seconds(30)
        repeat {
            (status, operation) = try await rig.call(
                "POST", "/v1/accounts/acct/drills", body: body, headers: idempotency + [("Prefer", "wait=20")])
            if status == 409 { try await Task.sleep(for: .milliseconds(200)) }
        } while status == 409 && ContinuousClock.now < replayDeadline
        #expect(status == 200 || status == 202, "replay answered \(status): \(operation)")
        let operationId = try #require(operation["id"] as? String)

        // A second replay names the same operation, from the store, with the status the first replay got.
        let (againStatus, again) = try await rig.call("POST", "/v1/accounts/acct/drills", body: body, headers: idempotency)
        #expect(againStatus == status)
        #expect(again["id"] as? String == operationId)

        let final = try await rig.finish(operation)
        #expect(final["status"] as? String == "succeeded", "operation: \(final)")

        // Exactly one drill upstream.
        let (_, drills) = try await rig.call("GET", "/v1/accounts/acct/drills?protectionGroupId=\(groupId)")
        let live = (drills["items"] as? [[String: Any]] ?? []).filter { ($0["status"] as? String) != "deleted" }
        #expect(live.count == 1, "drills upstream: \(live)")
        #expect(await rig.gateway.terminate() == 0)
    }

    @Test("SIGTERM while an upstream call is in flight: the request still gets its answer, then the process exits 0")
    func inFlightRequestIsDrained() async throws {
        var options = SimulatorOptions(accessKey: "DRAINTESTAK0000001", secretKey: "drain-secret-\(UUID().uuidString)", jobSeconds: 3)
        options.holdAction = "createDrill"
        options.holdSeconds = 2
        let rig = try await Rig.start(HuaweiSDRSPlugin.self, options: options)
        defer { rig.stop() }
        let simulator = try #require(rig.simulator as? HuaweiSDRSSimulator)
        let groupId = simulator.seedGroupId
        let create = Task { () -> (Int, String?) in
            let (status, operation) = try await rig.call(
                "POST", "/v1/accounts/acct/drills", body: #"{"name":"drain_drill","protectionGroupId":"\#(groupId)"}"#)
            return (status, operation["status"] as? String ?? (operation["code"] as? String).map { "problem: " + $0 })
        }
        // The create reached the cloud and its answer is held: the gateway's upstream call is in flight.
        #expect(await eventually(within: 20) { simulator.isHoldingAnswer })
        #expect(await rig.gateway.terminate() == 0)
        let (status, state) = try await create.value
        #expect(status == 202, "answered \(status): \(state ?? "")")
        #expect(state == "running")
    }

    @Test("an operation running when the gateway stops is finished by the next process")
    func operationSurvivesRestart() async throws {
        let options = SimulatorOptions(accessKey: "RESTARTTESTAK00001", secretKey: "restart-secret-\(UUID().uuidString)", jobSeconds: 3)
        let rig = try await Rig.start(HuaweiSDRSPlugin.self, options: options, environment: ["DRGW_LOG_LEVEL": "info"])
        defer { rig.stop() }
        let (_, groups) = try await rig.call("GET", "/v1/accounts/acct/protection-groups")
        let groupId = try #require((groups["items"] as? [[String: Any]])?.first?["id"] as? String)
        let (status, operation) = try await rig.call(
            "POST", "/v1/accounts/acct/drills", body: #"{"name":"restart_drill","protectionGroupId":"\#(groupId)"}"#)
        #expect(status == 202)
        #expect(operation["status"] as? String == "running")
        #expect(await rig.gateway.terminate() == 0)
        // The log sink's buffer went out at exit: the create's request line, then the stop line last.
        let lines = rig.gateway.logLines()
        #expect(lines.contains { $0["msg"] as? String == "request" && $0["method"] as? String == "POST" && $0["status"] as? String == "202" })
        #expect(lines.last?["msg"] as? String == "drgw stopped", "last lines: \(lines.suffix(3))")

        try await rig.gateway.start(client: rig.client)
        let final = try await rig.finish(operation)
        #expect(final["status"] as? String == "succeeded", "operation: \(final)")
        #expect((final["resource"] as? [String: Any])?["id"] as? String != nil)
        #expect(await rig.gateway.terminate() == 0)
    }
}

extension CrashRecoveryTests.Rig {
    /// Polls an operation until it is no longer running (30 s at most).
    func finish(_ operation: [String: Any]) async throws -> [String: Any] {
        var current = operation
        let id = operation["id"] as? String ?? ""
        let deadline = ContinuousClock.now + .seconds(30)
        while (current["status"] as? String) == "running" && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            (_, current) = try await call("GET", "/v1/operations/\(id)")
        }
        return current
    }
}
