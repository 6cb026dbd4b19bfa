import AWSDRS
import DRGWCore
import Foundation

/// The simulated DRS account in one region: source servers, jobs, recovery instances and
/// recovery plans with the rules the simulator enforces. A value type; the simulator keeps it
/// behind a lock. Time is always passed in.
struct DRSSimulatorWorld: Sendable {
    struct ServerRecord: Sendable {
        var wire: DRSWire.SourceServer
        var seq: Int
        /// The failback source server `ReverseReplication` made for this server's recovery instance.
        var reversedDirectionSourceServerArn: String?
    }

    struct JobRecord: Sendable {
        enum Kind: Sendable, Equatable {
            case launch(drill: Bool)
            case terminate
        }

        enum Stage: Sendable, Equatable { case pending, started, completed }

        var wire: DRSWire.Job
        var kind: Kind
        var seq: Int
        var begin: Date
        /// Seconds from begin to completion.
        var duration: Double
        var stage: Stage = .pending
        var logs: [DRSWire.JobLog] = []

        /// When the job goes from `PENDING` to `STARTED`: after a third of its time.
        var startedAt: Date { begin.addingTimeInterval(duration / 3) }
        var end: Date { begin.addingTimeInterval(duration) }
        /// The next moment the job changes, nil once it is completed.
        var nextChange: Date? {
            switch stage {
            case .pending: startedAt
            case .started: end
            case .completed: nil
            }
        }
    }

    struct InstanceRecord: Sendable {
        var wire: DRSWire.RecoveryInstance
        var seq: Int
    }

    struct PlanRecord: Sendable {
        var wire: DRSWire.RecoveryPlan
        var seq: Int
        var steps: [DRSWire.RecoveryPlanStep] = []
    }

    /// What a client token was first used for: the name it came with and what it made.
    struct TokenUse: Sendable {
        var scope: String
        var name: String
        var arn: String
    }

    static let accountId = "111122223333"
    /// The largest page any list answers (and the size of a page without `maxResults`).
    static let largestPage = 1000
    /// A plan holds at most this many steps.
    static let maxSteps = 20

    let region: String
    var jobSeconds: Double
    /// Seconds a drill launch takes.
    var drillSeconds: Double
    /// Terminate jobs complete but the instances stay `RUNNING` (fault mode).
    var phantomDeletes = false
    /// Every job completes with its servers `FAILED` and nothing launched or terminated (fault mode).
    var failJobs = false

    var servers: [String: ServerRecord] = [:]
    var jobs: [String: JobRecord] = [:]
    /// Ids of jobs not yet completed, in creation order.
    var activeJobs: [String] = []
    var instances: [String: InstanceRecord] = [:]
    /// Recovery plans by ARN.
    var plans: [String: PlanRecord] = [:]
    var planTokens: [String: TokenUse] = [:]
    var stepTokens: [String: TokenUse] = [:]
    var counter = 0
    var generator: SeededGenerator

    /// Seeded resources.
    let sourceServerIds: [String]
    let seedPlanArn: String

    init(region: String, jobSeconds: Double, seed: UInt64, now: Date) {
        self.region = region
        self.jobSeconds = max(0, jobSeconds)
        self.drillSeconds = max(0, jobSeconds)
        // The seeded ids come from a fixed generator so that they are the same on every run; ids made
        // later follow the simulator's seed.
        var fixed = SeededGenerator(seed: 0x00D8_5EED)
        let ids = (0..<3).map { _ in "s-" + Self.randomString(17, from: Self.hexDigits, using: &fixed) }
        let planId = "rp-" + Self.randomString(17, from: Self.hexDigits, using: &fixed)
        let stepId = "rps-" + Self.randomString(17, from: Self.hexDigits, using: &fixed)
        self.generator = SeededGenerator(seed: seed)
        self.sourceServerIds = ids
        self.seedPlanArn = "arn:aws:drs:\(region):\(Self.accountId):recovery-plan/\(planId)"

        for (index, (id, name)) in zip(ids, ["app-1", "app-2", "db-1"]).enumerated() {
            let wire = DRSWire.SourceServer(
                sourceServerID: id, arn: serverArn(id), tags: ["Name": name, "drgw-demo": "true"], lastLaunchResult: "NOT_STARTED",
                dataReplicationInfo: .init(lagDuration: "PT10S", dataReplicationState: "CONTINUOUS"), replicationDirection: "FAILOVER")
            servers[id] = ServerRecord(wire: wire, seq: index)
        }
        counter = ids.count
        let stamp = Timestamp.rfc3339(now)
        var plan = PlanRecord(
            wire: DRSWire.RecoveryPlan(
                recoveryPlanArn: seedPlanArn, name: "seed-recovery-plan", description: "seeded by drgw simulate", status: "ACTIVE",
                createdAt: stamp, updatedAt: stamp, tags: ["drgw-demo": "true"]),
            seq: nextSeq())
        plan.steps.append(
            DRSWire.RecoveryPlanStep(
                recoveryPlanStepArn: "\(seedPlanArn)/step/\(stepId)", stepOrder: 1, stepName: "app-tier",
                configuration: .init(serverStepConfiguration: .init(servers: ids.prefix(2).map { .init(serverArn: serverArn($0)) })),
                createdAt: stamp, updatedAt: stamp))
        plans[seedPlanArn] = plan
    }

    // MARK: Ids, ARNs, times

    static let hexDigits = Array("0123456789abcdef".utf8)

    static func randomString(_ count: Int, from alphabet: [UInt8], using generator: inout SeededGenerator) -> String {
        String(decoding: (0..<count).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }, as: UTF8.self)
    }

    /// A new id: `prefix` and 17 lowercase hex digits (the form of DRS and EC2 ids). Callers draw
    /// again in the unlikely case it is taken.
    mutating func newId(_ prefix: String) -> String {
        prefix + Self.randomString(17, from: Self.hexDigits, using: &generator)
    }

    /// The next creation sequence number (the order of every list).
    mutating func nextSeq() -> Int {
        counter += 1
        return counter
    }

    func arn(_ resource: String) -> String {
        "arn:aws:drs:\(region):\(Self.accountId):\(resource)"
    }

    func serverArn(_ id: String) -> String { arn("source-server/\(id)") }

    /// Reads a model `ISO8601DatetimeString` (`2026-12-06T01:02:03Z`, any fraction of a second).
    static func parseDate(_ text: String) -> Date? {
        guard text.hasSuffix("Z") else { return nil }
        guard let dot = text.firstIndex(of: ".") else { return Timestamp.parseISO8601Seconds(text) }
        let digits = text[text.index(after: dot)..<text.index(before: text.endIndex)]
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
            let base = Timestamp.parseISO8601Seconds(String(text[..<dot]) + "Z"), let fraction = Double("0." + digits)
        else { return nil }
        return base.addingTimeInterval(fraction)
    }

    // MARK: Pages

    /// A page of `items` (already in list order, `key` rising or, with `descending`, falling) from
    /// where `nextToken` points. Tokens hold the key of the next item, so a list that grows at the
    /// front between two calls neither repeats nor skips an item.
    static func page<T>(
        _ items: [T], key: (T) -> Int, descending: Bool = false, maxResults: Int?, nextToken: String?, list: String
    ) throws(DRSFault) -> (items: [T], nextToken: String?) {
        if let maxResults, maxResults < 1 {
            throw .validation("maxResults must be at least 1.", field: "maxResults")
        }
        let limit = min(maxResults ?? largestPage, largestPage)
        var start = 0
        if let token = nextToken, !token.isEmpty {
            guard let resume = PageToken.key(in: token, list: list) else {
                throw .validation("The nextToken is not valid for \(list).", field: "nextToken")
            }
            start = items.firstIndex { descending ? key($0) <= resume : key($0) >= resume } ?? items.count
        }
        let slice = Array(items[start...].prefix(limit))
        let rest = start + slice.count
        return (slice, rest < items.count ? PageToken.make(list: list, key: key(items[rest])) : nil)
    }

    // MARK: Source servers

    func describeSourceServers(_ request: DRSWire.DescribeSourceServersRequest) throws(DRSFault) -> DRSWire.DescribeSourceServersResponse {
        var all = servers.values.sorted { $0.seq < $1.seq }
        if let ids = request.filters?.sourceServerIDs, !ids.isEmpty {
            let wanted = Set(ids)
            all = all.filter { wanted.contains($0.wire.sourceServerID ?? "") }
        }
        // No simulated server reports a hardware id, so that filter matches nothing.
        if let hardware = request.filters?.hardwareId, !hardware.isEmpty { all = [] }
        let page = try Self.page(all, key: \.seq, maxResults: request.maxResults, nextToken: request.nextToken, list: "sourceServers")
        return .init(items: page.items.map(\.wire), nextToken: page.nextToken)
    }

    /// Sets a server's replication state and lag (test hook).
    mutating func setDataReplication(state: String, lagDuration: String?, sourceServerID: String) {
        servers[sourceServerID]?.wire.dataReplicationInfo = .init(lagDuration: lagDuration, dataReplicationState: state)
    }
}

/// Opaque pagination tokens: base64 of `drs1|<list>|<key>`.
enum PageToken {
    static func make(list: String, key: Int) -> String {
        Data("drs1|\(list)|\(key)".utf8).base64EncodedString()
    }

    static func key(in token: String, list: String) -> Int? {
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "drs1", parts[1] == list else { return nil }
        return Int(parts[2])
    }
}
