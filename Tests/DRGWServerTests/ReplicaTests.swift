import DRGWCore
import DRGWTesting
import DRGWTransport
import Foundation
import HuaweiSDRS
import HuaweiSDRSSimulation
import PostgresNIO
import Testing

/// Several real `drgw serve` processes on one PostgreSQL database (the test script's throwaway
/// cluster), in front of one simulator: shared idempotency, operation takeover after kill -9,
/// and a database outage, all over real HTTP.
@Suite(
    "Replicas on PostgreSQL (real drgw serve processes)", .serialized,
    .enabled(if: PostgresTestDatabase.isAvailable && FileManager.default.isExecutableFile(atPath: GatewayProcess.binary)))
struct ReplicaTests {
    /// One simulator, one database, several gateways with the same configuration.
    struct Rig {
        let simulator: any ProviderSimulator
        let simulatorTask: GracefulTask
        let replicas: [GatewayProcess]
        let client: CurlTransport
        let key: String
        let directory: URL
        let database: String

        static let operationLeaseSeconds = 3.0

        static func make(replicas count: Int, options: SimulatorOptions) async throws -> Rig {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("drgw-replicas-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let database = try await PostgresTestDatabase.create(prefix: "drgw_replicas")
            let simulator = HuaweiSDRSSimulatorPlugin.makeSimulator(options: options)
            let ports = AsyncStream<Int>.makeStream()
            let simulatorTask = GracefulTask { try await simulator.run { ports.continuation.yield($0) } }
            var iterator = ports.stream.makeAsyncIterator()
            guard let simulatorPort = await iterator.next() else { throw GatewayProcessError(message: "simulator did not start") }
            let key = "replica-key-\(UUID().uuidString)"
            let (configPath, env) = try CrashRecoveryTests.writeConfig(
                directory: directory, plugin: HuaweiSDRSPlugin.self, endpoint: "http://127.0.0.1:\(simulatorPort)", options: options,
                key: key, storeURL: database,
                extra: "operations:\n  leaseSeconds: \(operationLeaseSeconds)\n  scanSeconds: 0.1")
            var replicas: [GatewayProcess] = []
            for index in 0..<count {
                // Each replica logs to a file of its own, next to its own copy of the config.
                let own = directory.appendingPathComponent("replica-\(index)")
                try FileManager.default.createDirectory(at: own, withIntermediateDirectories: true)
                let ownConfig = own.appendingPathComponent("drgw.yaml").path
                try FileManager.default.copyItem(atPath: configPath, toPath: ownConfig)
                replicas.append(GatewayProcess(configPath: ownConfig, environment: env))
            }
            return Rig(
                simulator: simulator, simulatorTask: simulatorTask, replicas: replicas, client: CurlTransport(), key: key,
                directory: directory, database: database)
        }

        /// Starts the given replicas at the same time (they race for the schema migration).
        func start(_ indexes: [Int]) async throws {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in indexes {
                    let replica = replicas[index]
                    let client = self.client
                    group.addTask { try await replica.start(client: client) }
                }
                try await group.waitForAll()
            }
        }

        func call(
            _ replica: Int, _ method: String, _ path: String, body: String? = nil, headers: [(name: String, value: String)] = []
        ) async throws -> (UpstreamResponse, [String: Any]) {
            var all: [(name: String, value: String)] = [("Authorization", "Bearer \(key)")] + headers
            if body != nil { all.append(("Content-Type", "application/json")) }
            let response = try await client.send(
                UpstreamRequest(method: method, url: replicas[replica].base + path, headers: all, body: Array((body ?? "").utf8), timeout: 60))
            return (response, (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:])
        }

        func upstreamCount(_ action: String) -> Int {
            simulator.requestLog.filter { $0.action == action }.count
        }

        func groupId() async throws -> String {
            let (_, groups) = try await call(0, "GET", "/v1/accounts/acct/protection-groups")
            return try #require((groups["items"] as? [[String: Any]])?.first?["id"] as? String)
        }

        /// Reads an operation through `replica` until it is no longer running.
        func finish(_ id: String, on replica: Int, seconds: Double = 30) async throws -> [String: Any] {
            let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
            while true {
                let (_, operation) = try await call(replica, "GET", "/v1/operations/\(id)")
                if operation["status"] as? String != "running" || ContinuousClock.now >= deadline { return operation }
                try await Task.sleep(for: .milliseconds(100))
            }
        }

        /// Kills every process (their graceful stop is tested elsewhere); the database goes with the
        /// throwaway cluster.
        func stop() {
            for replica in replicas { replica.abandon() }
            simulatorTask.stopSoon()
            client.shutdown()
            if ProcessInfo.processInfo.environment["DRGW_TEST_KEEP"] == nil { try? FileManager.default.removeItem(at: directory) }
        }
    }

    static func options(_ name: String, jobSeconds: Double) -> SimulatorOptions {
        SimulatorOptions(accessKey: "REPLICATESTAK00001", secretKey: "replica-secret-\(name)-\(UUID().uuidString)", jobSeconds: jobSeconds)
    }

    @Test("64 concurrent same-key creates spread over 3 replicas make one upstream create; Prefer: wait works on any replica")
    func sameKeyAcrossReplicas() async throws {
        let rig = try await Rig.make(replicas: 3, options: Self.options("same-key", jobSeconds: 1))
        defer { rig.stop() }
        try await rig.start([0, 1, 2])
        let groupId = try await rig.groupId()
        let body = #"{"name":"replica_drill","protectionGroupId":"\#(groupId)"}"#
        // (status, problem code, operation id) of each answer.
        let answers = try await withThrowingTaskGroup(of: (Int, String?, String?).self, returning: [(Int, String?, String?)].self) { group in
            for i in 0..<64 {
                group.addTask {
                    let (response, json) = try await rig.call(
                        i % 3, "POST", "/v1/accounts/acct/drills", body: body, headers: [("Idempotency-Key", "same-key-1")])
                    return (response.status, json["code"] as? String, json["id"] as? String)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let accepted = answers.filter { $0.0 == 202 }
        let busy = answers.filter { $0.0 == 409 }
        #expect(accepted.count + busy.count == 64, "statuses: \(answers.map(\.0))")
        #expect(!accepted.isEmpty)
        #expect(busy.allSatisfy { $0.1 == "idempotency_key_in_use" })
        let ids = Set(accepted.compactMap { $0.2 })
        #expect(ids.count == 1, "operation ids: \(ids)")
        #expect(rig.upstreamCount("createDrill") == 1)

        // The replay on every replica names the same operation, without another upstream call.
        let operationId = try #require(ids.first)
        for replica in 0..<3 {
            let (response, json) = try await rig.call(
                replica, "POST", "/v1/accounts/acct/drills", body: body, headers: [("Idempotency-Key", "same-key-1")])
            #expect(response.status == 202)
            #expect(json["id"] as? String == operationId)
            #expect(response.header("Idempotent-Replayed") == "true")
        }
        #expect(rig.upstreamCount("createDrill") == 1)

        // Prefer: wait on one replica returns the final operation whichever replica polls it.
        let (waited, final) = try await rig.call(
            2, "POST", "/v1/accounts/acct/drills", body: #"{"name":"replica_wait","protectionGroupId":"\#(groupId)"}"#,
            headers: [("Idempotency-Key", "wait-1"), ("Prefer", "wait=20")])
        #expect(waited.status == 200, "answer: \(final)")
        #expect(final["status"] as? String == "succeeded")
        #expect(waited.header("Preference-Applied") == "wait=20")
    }

    @Test("kill -9 of the replica polling an operation: another replica takes it over and finishes it")
    func takeoverAfterKill() async throws {
        var options = Self.options("takeover", jobSeconds: 1)
        // The first job poll reaches the simulator and its answer is held: the replica that sent
        // it holds the operation's lease when it dies.
        options.holdAction = "showJob"
        options.holdSeconds = 60
        let rig = try await Rig.make(replicas: 3, options: options)
        defer { rig.stop() }
        try await rig.start([0])
        let groupId = try await rig.groupId()
        let (created, operation) = try await rig.call(
            0, "POST", "/v1/accounts/acct/drills", body: #"{"name":"takeover_drill","protectionGroupId":"\#(groupId)"}"#,
            headers: [("Idempotency-Key", "takeover-1")])
        #expect(created.status == 202)
        let operationId = try #require(operation["id"] as? String)
        // Replica 0 claimed the operation (lease generation 1) and its poll is held upstream.
        try await eventually("replica 0 claimed the operation") {
            try await PostgresTestDatabase.integers(rig.database, "SELECT lease_generation FROM operations WHERE id = \(operationId)") == [1]
        }

        let claimed = ContinuousClock.now
        await rig.replicas[0].kill9()
        let killed = ContinuousClock.now
        let pollsBeforeKill = rig.upstreamCount("showJob")
        try await rig.start([1, 2])
        let final = try await rig.finish(operationId, on: 1)
        let elapsed = ContinuousClock.now - killed
        #expect(final["status"] as? String == "succeeded", "operation: \(final)")
        // Within the lease plus a poll interval or two (replica start-up included).
        #expect(elapsed < .seconds(Rig.operationLeaseSeconds + 10), "took \(elapsed)")
        print("replica takeover: kill -9 to operation finished in \(elapsed) (lease \(Rig.operationLeaseSeconds) s)")
        // The operation was leased by the dead replica: nobody polled it again until the lease ran out.
        #expect(ContinuousClock.now - claimed >= .seconds(Rig.operationLeaseSeconds - 0.5))
        #expect(pollsBeforeKill == 0)  // the held poll is logged when it is answered
        #expect(rig.upstreamCount("showJob") >= 1)
        let generation = try await PostgresTestDatabase.integers(rig.database, "SELECT lease_generation FROM operations WHERE id = \(operationId)")
        #expect((generation.first ?? 0) >= 2, "generation \(generation)")
        #expect(rig.upstreamCount("createDrill") == 1)
        let (_, fromOther) = try await rig.call(2, "GET", "/v1/operations/\(operationId)")
        #expect(fromOther["status"] as? String == "succeeded")
    }

    @Test("database outage: /readyz 503 and writes answer 503 store_unavailable; back to 200 and the retried write runs once")
    func databaseOutage() async throws {
        let rig = try await Rig.make(replicas: 3, options: Self.options("outage", jobSeconds: 0.5))
        defer { rig.stop() }
        try await rig.start([0, 1, 2])
        let groupId = try await rig.groupId()
        for replica in 0..<3 {
            let (ready, _) = try await rig.call(replica, "GET", "/readyz")
            #expect(ready.status == 200)
        }

        let outage = ContinuousClock.now
        try await PostgresTestDatabase.setReachable(rig.database, false)
        for replica in 0..<3 {
            try await eventually("replica \(replica) reports not ready") {
                (try? await rig.call(replica, "GET", "/readyz"))?.0.status == 503
            }
        }
        print("replicas: not ready \(ContinuousClock.now - outage) after the outage began")
        let (notReady, _) = try await rig.call(0, "GET", "/readyz")
        #expect(notReady.header("Retry-After") != nil)

        let body = #"{"name":"outage_drill","protectionGroupId":"\#(groupId)"}"#
        let (refused, problem) = try await rig.call(
            1, "POST", "/v1/accounts/acct/drills", body: body, headers: [("Idempotency-Key", "outage-1")])
        #expect(refused.status == 503, "answer: \(problem)")
        #expect(problem["code"] as? String == "store_unavailable")
        #expect(refused.header("Content-Type") == "application/problem+json")
        #expect(refused.header("Retry-After") != nil)
        #expect(rig.upstreamCount("createDrill") == 0)

        print("replicas: write refused \(ContinuousClock.now - outage) after the outage began")
        try await PostgresTestDatabase.setReachable(rig.database, true)
        let back = ContinuousClock.now
        for replica in 0..<3 {
            try await eventually("replica \(replica) is ready again") {
                (try? await rig.call(replica, "GET", "/readyz"))?.0.status == 200
            }
        }
        print("replicas: ready again \(ContinuousClock.now - back) after the database came back")
        let (retried, operation) = try await rig.call(
            1, "POST", "/v1/accounts/acct/drills", body: body, headers: [("Idempotency-Key", "outage-1"), ("Prefer", "wait=20")])
        #expect(retried.status == 200, "answer: \(operation)")
        #expect(operation["status"] as? String == "succeeded")
        #expect(rig.upstreamCount("createDrill") == 1)
    }
}

/// Waits until `condition` holds, checking every 100 ms; fails after `seconds`.
func eventually(_ what: String, seconds: Double = 20, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("not within \(seconds) s: \(what)")
            throw EventuallyTimeout(what: what)
        }
        try await Task.sleep(for: .milliseconds(100))
    }
}

struct EventuallyTimeout: Error {
    var what: String
}
