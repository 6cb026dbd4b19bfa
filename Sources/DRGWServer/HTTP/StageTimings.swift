import DRGWCore
import Foundation
import Synchronization

/// The stage-timing diagnostic (`diagnostics.stageTimingFile`): hands out one `StageTrace` per
/// request, collects the finished ones and writes how long requests spent between stages.
///
/// The HTTP front opens a trace when the parser hands over a request head and names it to the
/// router in an internal header; `EdgeMiddleware` takes it by that name. Only the time between
/// consecutive stages is kept, at most `sampleLimit` values per stage.
public final class StageTimings: Sendable {
    /// One stage's distribution in the summary, in microseconds.
    public struct StageSummary: Codable, Sendable, Equatable {
        public var stage: String
        public var count: Int
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var mean: Double
    }

    /// What `write(to:)` stores.
    public struct Summary: Codable, Sendable, Equatable {
        /// Requests with a complete trace (parsed and written).
        public var requests: Int
        /// Time from the previous reached stage to each stage, in stage order.
        public var stages: [StageSummary]
        /// From `parsed` to `written`.
        public var total: StageSummary?
    }

    private struct State {
        var nextId: UInt64 = 1
        var open: [UInt64: StageTrace] = [:]
        var samples: [[Duration]] = Array(repeating: [], count: StageTrace.Stage.allCases.count)
        var totals: [Duration] = []
        var requests = 0
    }

    static let sampleLimit = 500_000
    private let state = Mutex(State())

    public init() {}

    /// A new trace with its name for the internal header.
    func open() -> (id: String, trace: StageTrace) {
        let trace = StageTrace()
        let id = state.withLock { state -> UInt64 in
            defer { state.nextId += 1 }
            state.open[state.nextId] = trace
            return state.nextId
        }
        return (String(id), trace)
    }

    /// The trace named `id`, once; nil for an unknown name.
    func take(_ id: String?) -> StageTrace? {
        guard let id, let number = UInt64(id) else { return nil }
        return state.withLock { $0.open.removeValue(forKey: number) }
    }

    /// Forgets a trace the router never took (the connection closed first).
    func discard(_ id: String) {
        _ = take(id)
    }

    /// Adds a trace whose response was written.
    func finish(_ trace: StageTrace) {
        let instants = trace.instants
        let intervals = StageTrace.intervals(instants)
        guard !intervals.isEmpty, let first = instants.first ?? nil, let last = instants.last ?? nil else { return }
        state.withLock { state in
            state.requests += 1
            guard state.totals.count < Self.sampleLimit else { return }
            state.totals.append(last - first)
            for (stage, duration) in intervals { state.samples[stage.rawValue].append(duration) }
        }
    }

    public var summary: Summary {
        let (samples, totals, requests) = state.withLock { ($0.samples, $0.totals, $0.requests) }
        let stages = StageTrace.Stage.allCases.dropFirst().compactMap { stage in
            Self.describe(stage.name, samples[stage.rawValue])
        }
        return Summary(requests: requests, stages: stages, total: Self.describe("total", totals))
    }

    /// Writes `summary` as JSON.
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(summary).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    static func describe(_ name: String, _ durations: [Duration]) -> StageSummary? {
        guard !durations.isEmpty else { return nil }
        let micros = durations.map { Double($0.components.seconds) * 1e6 + Double($0.components.attoseconds) / 1e12 }.sorted()
        func quantile(_ q: Double) -> Double {
            micros[min(micros.count - 1, Int((Double(micros.count) * q).rounded(.down)))]
        }
        func rounded(_ value: Double) -> Double { (value * 10).rounded() / 10 }
        return StageSummary(
            stage: name, count: micros.count, p50: rounded(quantile(0.5)), p90: rounded(quantile(0.9)),
            p99: rounded(quantile(0.99)), mean: rounded(micros.reduce(0, +) / Double(micros.count)))
    }
}
