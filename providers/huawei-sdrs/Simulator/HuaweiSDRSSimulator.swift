import HuaweiSDRS
import DRGWCore
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A local SDRS v1 endpoint: the real wire format under `/v1/{project_id}/…`, SDK-HMAC-SHA256
/// verification, async jobs that end after `jobSeconds`, the group and drill state rules, and
/// injected faults. The official Python SDK works against it unchanged.
public final class HuaweiSDRSSimulator: ProviderSimulator {
    /// The project id used when none is given.
    public static let defaultProjectId = HuaweiSDRSPlugin.demoProjectId

    /// Every request received, with the route name as `action`.
    public let requestLog = RequestLog()
    let options: SimulatorOptions
    let authToken: String?
    let world: Mutex<SDRSSimulatorWorld>
    let faults: Mutex<SeededGenerator>
    let verifier: HuaweiSignatureVerifier
    let hold: AnswerHold

    /// The project id this simulator serves.
    public var projectId: String { options.settings["projectId"] ?? Self.defaultProjectId }
    /// The seeded active-active domain id.
    public var domainId: String { world.withLock { $0.domain.id } }
    /// The seeded protection group id.
    public var seedGroupId: String { world.withLock { $0.seedGroupId } }

    /// True while the answer of `SimulatorOptions.holdAction` is held back.
    public var isHoldingAnswer: Bool { hold.isHolding }

    /// Creates a simulator.
    /// - Parameters:
    ///   - options: listen address, credentials, project, job duration and faults.
    ///   - authToken: an IAM token accepted in `X-Auth-Token` instead of a signature (optional;
    ///     `options.authToken` when nil).
    public init(options: SimulatorOptions, authToken: String? = nil) {
        self.options = options
        self.authToken = authToken ?? options.authToken
        let seed = options.randomSeed ?? UInt64.random(in: 0...UInt64.max)
        let region = options.region ?? "ap-southeast-3"
        var world = SDRSSimulatorWorld(
            projectId: options.settings["projectId"] ?? Self.defaultProjectId, region: region, jobSeconds: options.jobSeconds, seed: seed, now: Date())
        world.drillSeconds = max(0, options.drillSeconds ?? options.jobSeconds)
        world.phantomDeletes = options.phantomDeletes
        world.failJobs = options.failJobs
        self.world = Mutex(world)
        self.faults = Mutex(SeededGenerator(seed: seed ^ 0x5EED))
        self.verifier = HuaweiSignatureVerifier(secrets: [options.accessKey: options.secretKey])
        self.hold = AnswerHold(options: options)
    }

    /// Lines naming the seeded ids.
    public var seedSummary: [String] {
        world.withLock { w in
            [
                "huawei-sdrs project id: \(w.projectId)",
                "huawei-sdrs active-active domain id: \(w.domain.id) (AZs \(w.domain.localReplicationCluster.availabilityZone), \(w.domain.remoteReplicationCluster.availabilityZone))",
                "huawei-sdrs protection group id: \(w.seedGroupId) (protected, 1 protected instance, 1 replication pair)",
            ]
        }
    }

    /// TEST-ONLY hook: sets the `replication_status` of the group's replication pairs (`active` is in sync).
    public func setReplicationStatus(_ status: String, group: String) {
        world.withLock { $0.setReplicationStatus(status, group: group) }
    }

    /// TEST-ONLY hook: records that `pairs` replication pairs were over their RPO at `time` (minute precision).
    public func recordRPOExceedance(at time: Date, pairs: Int) {
        let stamp = SDRSJSON.drillTime(time)
        world.withLock { w in
            w.rpoStatistics.append(
                SDRSWire.RPOStatistic(
                    id: w.newUUID(), pointTime: String(stamp.prefix(16)), resourceNum: pairs, resourceType: "replication",
                    createdAt: stamp, updatedAt: stamp))
        }
    }

    /// Serves until the task is cancelled; `onReady` receives the bound port.
    public func run(onReady: @escaping @Sendable (Int) async -> Void) async throws {
        var logger = Logger(label: "drgw.simulator.huawei-sdrs")
        logger.logLevel = .critical
        let app = Application(
            responder: SDRSSimulatorResponder(simulator: self),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: nil),
            onServerRunning: { channel in await onReady(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await app.run()
    }
}
