import DRGWCore
import Foundation
import Synchronization

/// An in-memory `Provider` for front-end tests: drills and groups in a dictionary, jobs that
/// end when `completeJobs()` is called (or at once with `autoComplete`). Counts upstream writes.
public final class FakeProvider: Provider, Sendable {
    public let name: String
    private struct State {
        var groups: [String: ProtectionGroup] = [:]
        var drills: [String: Drill] = [:]
        var jobs: [String: JobProgress] = [:]
        var writes: [String] = []
        var failNextWrite: Problem?
        var writeDelay: Duration?
    }

    private let state = Mutex(State())
    private let account: String
    public let autoComplete: Bool

    public init(account: String, name: String = "fake", autoComplete: Bool = true) {
        self.account = account
        self.name = name
        self.autoComplete = autoComplete
        let group = ProtectionGroup(
            id: "pg-1", account: account, provider: name, kind: .group, name: "seed-group", status: .protected,
            providerStatus: "protected"
        )
        state.withLock { $0.groups[group.id] = group }
    }

    /// Upstream writes so far, by kind.
    public var writes: [String] { state.withLock { $0.writes } }

    /// The next write throws this problem instead of acting.
    public func failNextWrite(with problem: Problem) { state.withLock { $0.failNextWrite = problem } }

    /// Every write waits this long before acting (to hold requests in flight).
    public func delayWrites(_ delay: Duration?) { state.withLock { $0.writeDelay = delay } }

    /// Ends every running job successfully.
    public func completeJobs() {
        state.withLock { state in
            for (id, progress) in state.jobs where progress == .running { state.jobs[id] = .succeeded(resourceId: nil) }
            for (id, drill) in state.drills where drill.status == .creating { state.drills[id]?.status = .ready }
        }
    }

    public func setGroupStatus(_ id: String, _ status: ProtectionGroupStatus) {
        state.withLock { $0.groups[id]?.status = status }
    }

    public func listProtectionGroups(cursor: String?, limit: Int, context: CallContext) async throws -> Page<ProtectionGroup> {
        Page(items: state.withLock { Array($0.groups.values) }.sorted { $0.id < $1.id })
    }

    public func protectionGroup(id: String, context: CallContext) async throws -> ProtectionGroup {
        guard let group = state.withLock({ $0.groups[id] }) else { throw Problem.notFound("Protection group '\(id)'") }
        return group
    }

    public func createProtectionGroup(_ input: CreateProtectionGroupInput, context: CallContext) async throws -> UpstreamJob {
        try await write("protectionGroup.create")
        return job(kind: "protectionGroup.create", type: "protectionGroup", id: "pg-\(UUID().uuidString.prefix(8))")
    }

    public func deleteProtectionGroup(id: String, context: CallContext) async throws -> UpstreamJob {
        _ = try await protectionGroup(id: id, context: context)
        try await write("protectionGroup.delete")
        return job(kind: "protectionGroup.delete", type: "protectionGroup", id: id)
    }

    public func perform(_ action: ProtectionGroupAction, onProtectionGroup id: String, input: ActionInput, context: CallContext) async throws -> UpstreamJob {
        _ = try await protectionGroup(id: id, context: context)
        try await write(action.operationKind)
        return job(kind: action.operationKind, type: "protectionGroup", id: id)
    }

    public func listDrills(protectionGroupId: String?, cursor: String?, limit: Int, context: CallContext) async throws -> Page<Drill> {
        let drills = state.withLock { Array($0.drills.values) }
        return Page(items: drills.filter { protectionGroupId == nil || $0.protectionGroupId == protectionGroupId }.sorted { $0.id < $1.id })
    }

    public func drill(id: String, context: CallContext) async throws -> Drill {
        guard let drill = state.withLock({ $0.drills[id] }) else { throw Problem.notFound("Drill '\(id)'") }
        return drill
    }

    public func createDrill(_ input: CreateDrillInput, context: CallContext) async throws -> UpstreamJob {
        let group = try await protectionGroup(id: input.protectionGroupId, context: context)
        guard [.available, .protected, .failedOver].contains(group.status) else {
            throw Problem(.conflict, detail: "The protection group's status does not allow a drill.")
        }
        if context.reconcile, let existing = state.withLock({ $0.drills.values.first { $0.name == input.name } }) {
            return UpstreamJob(kind: "drill.create", resource: ResourceReference(type: "drill", id: existing.id), token: ["adopted": existing.id])
        }
        try await write("drill.create")
        let id = "drill-\(UUID().uuidString.prefix(8).lowercased())"
        let drill = Drill(
            id: id, account: account, provider: name, name: input.name, protectionGroupId: input.protectionGroupId,
            drillNetworkId: input.drillNetworkId, status: autoComplete ? .ready : .creating, providerStatus: "creating",
            createdAt: Timestamp.rfc3339(Date())
        )
        state.withLock { $0.drills[id] = drill }
        return job(kind: "drill.create", type: "drill", id: id)
    }

    public func deleteDrill(id: String, context: CallContext) async throws -> UpstreamJob {
        _ = try await drill(id: id, context: context)
        try await write("drill.delete")
        state.withLock { _ = $0.drills.removeValue(forKey: id) }
        return job(kind: "drill.delete", type: "drill", id: id)
    }

    public func progress(of job: UpstreamJob, context: CallContext) async throws -> JobProgress {
        if job.token["adopted"] != nil { return .succeeded(resourceId: job.resource.id) }
        let progress = state.withLock { $0.jobs[job.token["job"] ?? ""] } ?? .failed(Problem.notFound("Job"))
        if case .succeeded = progress { return .succeeded(resourceId: job.resource.id) }
        return progress
    }

    private func write(_ kind: String) async throws {
        if let delay = state.withLock({ $0.writeDelay }) { try await Task.sleep(for: delay) }
        if let problem = state.withLock({ state -> Problem? in
            defer { state.failNextWrite = nil }
            return state.failNextWrite
        }) {
            throw problem
        }
        state.withLock { $0.writes.append(kind) }
    }

    private func job(kind: String, type: String, id: String) -> UpstreamJob {
        let jobId = UUID().uuidString
        state.withLock { $0.jobs[jobId] = autoComplete ? .succeeded(resourceId: id) : .running }
        return UpstreamJob(kind: kind, resource: ResourceReference(type: type, id: id), token: ["job": jobId])
    }
}

/// A plugin wrapper so the gateway can be built with fake providers.
public enum FakePlugin: ProviderPlugin {
    public static let name = "fake"
    public static let defaultRegion = "local-1"
    public static let providers = Mutex<[String: FakeProvider]>([:])

    public static func validate(account: AccountSettings) -> [AccountSettingProblem] { [] }

    public static func makeProvider(account: AccountSettings, transport: any HTTPTransport) throws -> any Provider {
        providers.withLock { all in
            if let existing = all[account.id] { return existing }
            let provider = FakeProvider(account: account.id, autoComplete: account.region != "manual")
            all[account.id] = provider
            return provider
        }
    }

    public static func makeSimulator(options: SimulatorOptions) -> any ProviderSimulator {
        fatalError("the fake provider has no simulator")
    }

    public static func demoAccount(id: String, endpoint: String, options: SimulatorOptions) -> AccountSettings {
        AccountSettings(id: id, provider: name, region: defaultRegion, credentials: Credentials())
    }
}
