import AWSDRS
import DRGWCore
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A local AWS Elastic Disaster Recovery endpoint: every operation `POST /{Operation}` with JSON
/// in and out as botocore's model describes it, SigV4 verification (service `drs`), launch and
/// terminate jobs that complete after `jobSeconds`, recovery plans, and injected faults. The
/// official Python SDK (boto3 `drs` with `endpoint_url`) works against it unchanged.
public final class AWSDRSSimulator: ProviderSimulator {
    /// The account every ARN names.
    public static let accountId = DRSSimulatorWorld.accountId

    /// Every request received, with the operation name as `action` (`unknown` for anything else).
    public let requestLog = RequestLog()
    /// The region this simulator serves (`options.region`, else us-east-1).
    public let region: String
    /// The seeded source server ids (`s-…`), tagged `Name` app-1, app-2 and db-1.
    public let sourceServerIds: [String]
    /// The ARN of the seeded recovery plan, whose one server step holds the first two servers.
    public let seedPlanArn: String
    let options: SimulatorOptions
    let world: Mutex<DRSSimulatorWorld>
    let faults: Mutex<SeededGenerator>
    let verifier: AWSSignatureVerifier
    let hold: AnswerHold

    /// The seeded recovery plan's id (`rp-…`, the last part of its ARN).
    public var seedPlanId: String { String(seedPlanArn.split(separator: "/").last ?? "") }

    /// The ARNs of the seeded source servers, in the order of `sourceServerIds`.
    public var sourceServerArns: [String] {
        sourceServerIds.map { "arn:aws:drs:\(region):\(Self.accountId):source-server/\($0)" }
    }

    /// Creates a simulator (not yet listening; see `run(onReady:)`).
    /// - Parameter options: listen address, credentials, region, job and drill durations, fault modes.
    public init(options: SimulatorOptions) {
        self.options = options
        let region = options.region ?? AWSDRSPlugin.defaultRegion
        self.region = region
        let seed = options.randomSeed ?? UInt64.random(in: 0...UInt64.max)
        var world = DRSSimulatorWorld(region: region, jobSeconds: options.jobSeconds, seed: seed, now: Date())
        world.drillSeconds = max(0, options.drillSeconds ?? options.jobSeconds)
        world.phantomDeletes = options.phantomDeletes
        world.failJobs = options.failJobs
        self.sourceServerIds = world.sourceServerIds
        self.seedPlanArn = world.seedPlanArn
        self.world = Mutex(world)
        self.faults = Mutex(SeededGenerator(seed: seed ^ 0x5EED))
        self.verifier = AWSSignatureVerifier(
            secrets: [options.accessKey: options.secretKey], region: region, service: AWSDRSPlugin.signingName, maxSkew: 300)
        self.hold = AnswerHold(options: options)
    }

    /// Lines naming the seeded ids.
    public var seedSummary: [String] {
        let names = ["app-1", "app-2", "db-1"]
        return [
            "aws-drs account \(Self.accountId), region \(region)",
            "aws-drs source servers: " + zip(sourceServerIds, names).map { "\($0) (\($1))" }.joined(separator: ", "),
            "aws-drs recovery plan id: \(seedPlanId) (\(seedPlanArn); step app-tier: \(sourceServerIds.prefix(2).joined(separator: ", ")))",
        ]
    }

    /// TEST-ONLY hook: sets a source server's `dataReplicationInfo` (`CONTINUOUS` is in sync).
    public func setDataReplication(state: String, lagDuration: String?, sourceServerID: String) {
        world.withLock { $0.setDataReplication(state: state, lagDuration: lagDuration, sourceServerID: sourceServerID) }
    }

    /// Serves until stopped (a graceful shutdown of the enclosing service group); `onReady`
    /// receives the bound port.
    public func run(onReady: @escaping @Sendable (Int) async -> Void) async throws {
        var logger = Logger(label: "drgw.simulator.aws-drs")
        logger.logLevel = .critical
        let app = Application(
            responder: DRSSimulatorResponder(simulator: self),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: nil),
            onServerRunning: { channel in await onReady(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await app.run()
    }
}
