import DRGWCore
import Testing

@Suite struct StageTraceTests {
    typealias Stage = StageTrace.Stage

    static func instants(_ offsets: [Stage: Int]) -> [ContinuousClock.Instant?] {
        let origin = ContinuousClock.now
        return Stage.allCases.map { stage in offsets[stage].map { origin + .microseconds($0) } }
    }

    @Test func intervalsRunFromEachReachedStageToTheNext() {
        let instants = Self.instants([
            .parsed: 0, .handlerEntered: 40, .handedToTransport: 90, .transferStarted: 150, .firstByte: 400,
            .transferDone: 420, .resumed: 470, .responseReady: 500, .written: 530,
        ])
        let intervals = StageTrace.intervals(instants)
        #expect(intervals.map(\.stage) == Array(Stage.allCases.dropFirst()))
        #expect(intervals.map(\.duration) == [40, 50, 60, 250, 20, 50, 30, 30].map { Duration.microseconds($0) })
        // The intervals add up to the whole request.
        #expect(intervals.reduce(Duration.zero) { $0 + $1.duration } == .microseconds(530))
    }

    @Test func stagesARequestDidNotPassAreSkipped() {
        // No upstream call: the handler's time runs straight to the response.
        let intervals = StageTrace.intervals(Self.instants([.parsed: 0, .handlerEntered: 10, .responseReady: 70, .written: 75]))
        #expect(intervals.map(\.stage) == [.handlerEntered, .responseReady, .written])
        #expect(intervals.map(\.duration) == [.microseconds(10), .microseconds(60), .microseconds(5)])
    }

    @Test func anUnfinishedTraceGivesNothing() {
        #expect(StageTrace.intervals(Self.instants([.parsed: 0, .handlerEntered: 10])).isEmpty)
        #expect(StageTrace.intervals(Self.instants([.handlerEntered: 10, .written: 20])).isEmpty)
    }

    @Test func theFirstMarkOfAStageWins() {
        let trace = StageTrace()
        let origin = ContinuousClock.now
        trace.mark(.firstByte, at: origin + .milliseconds(1))
        trace.mark(.firstByte, at: origin + .milliseconds(5))
        #expect(trace.instants[Stage.firstByte.rawValue] == origin + .milliseconds(1))
        #expect(trace.instants[Stage.parsed.rawValue] == nil)
    }
}
