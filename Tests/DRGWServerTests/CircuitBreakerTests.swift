import DRGWCore
import Foundation
import Testing

@testable import DRGWServer

/// The breaker state machine under test.
typealias Machine = CircuitBreakerTransport.StateMachine

@Suite("Circuit breaker state machine")
struct CircuitBreakerTests {
    let settings = BreakerSettings(failureThreshold: 3, openSeconds: 5)

    @Test func staysClosedBelowTheThresholdAndASuccessResetsTheCount() {
        var breaker = Machine(settings: settings)
        for _ in 0..<2 {
            #expect(breaker.admit(now: 0) == .allowed)
            breaker.record(.failure, wasProbe: false, now: 0)
        }
        breaker.record(.success, wasProbe: false, now: 0)
        #expect(breaker.consecutiveFailures == 0)
        for _ in 0..<2 { breaker.record(.failure, wasProbe: false, now: 0) }
        #expect(breaker.state == .closed)
        #expect(breaker.admit(now: 1) == .allowed)
    }

    @Test func opensAfterNConsecutiveFailuresAndRejectsWithRetryAfter() {
        var breaker = Machine(settings: settings)
        for _ in 0..<3 { breaker.record(.failure, wasProbe: false, now: 10) }
        #expect(breaker.state == .open(until: 15))
        #expect(breaker.admit(now: 10) == .rejected(retryAfter: 5))
        #expect(breaker.admit(now: 13.2) == .rejected(retryAfter: 2))
        #expect(breaker.admit(now: 14.99) == .rejected(retryAfter: 1))
    }

    @Test func neutralOutcomesDoNotCount() {
        var breaker = Machine(settings: settings)
        for _ in 0..<10 { breaker.record(.neutral, wasProbe: false, now: 0) }
        breaker.record(.failure, wasProbe: false, now: 0)
        breaker.record(.failure, wasProbe: false, now: 0)
        #expect(breaker.state == .closed)
    }

    @Test func halfOpenLetsExactlyOneProbeThrough() {
        var breaker = Machine(settings: settings)
        for _ in 0..<3 { breaker.record(.failure, wasProbe: false, now: 0) }
        #expect(breaker.admit(now: 5) == .probe)
        #expect(breaker.state == .halfOpen(probing: true))
        #expect(breaker.admit(now: 5.1) == .rejected(retryAfter: 1))
        #expect(breaker.admit(now: 6) == .rejected(retryAfter: 1))
    }

    @Test func aSuccessfulProbeCloses() {
        var breaker = Machine(settings: settings)
        for _ in 0..<3 { breaker.record(.failure, wasProbe: false, now: 0) }
        #expect(breaker.admit(now: 6) == .probe)
        breaker.record(.success, wasProbe: true, now: 6)
        #expect(breaker.state == .closed)
        #expect(breaker.admit(now: 6) == .allowed)
        // The count starts again from zero.
        breaker.record(.failure, wasProbe: false, now: 6)
        breaker.record(.failure, wasProbe: false, now: 6)
        #expect(breaker.state == .closed)
    }

    @Test func aFailedProbeReopensForAnotherCoolDown() {
        var breaker = Machine(settings: settings)
        for _ in 0..<3 { breaker.record(.failure, wasProbe: false, now: 0) }
        #expect(breaker.admit(now: 7) == .probe)
        breaker.record(.failure, wasProbe: true, now: 7)
        #expect(breaker.state == .open(until: 12))
        #expect(breaker.admit(now: 11) == .rejected(retryAfter: 1))
        #expect(breaker.admit(now: 12) == .probe)
    }

    @Test func aNeutralProbeFreesTheSlotForTheNextRequest() {
        var breaker = Machine(settings: settings)
        for _ in 0..<3 { breaker.record(.failure, wasProbe: false, now: 0) }
        #expect(breaker.admit(now: 5) == .probe)
        breaker.record(.neutral, wasProbe: true, now: 5)
        #expect(breaker.state == .halfOpen(probing: false))
        #expect(breaker.admit(now: 5) == .probe)
    }

    @Test func lateAnswersOfRequestsSentBeforeTheTripDoNotMoveTheCircuit() {
        var breaker = Machine(settings: settings)
        for _ in 0..<3 { breaker.record(.failure, wasProbe: false, now: 0) }
        breaker.record(.success, wasProbe: false, now: 1)
        #expect(breaker.state == .open(until: 5))
        #expect(breaker.admit(now: 5) == .probe)
        breaker.record(.success, wasProbe: false, now: 5)
        #expect(breaker.state == .halfOpen(probing: true))
    }

    @Test func settingsAreClampedToSaneValues() {
        var breaker = Machine(settings: BreakerSettings(failureThreshold: 0, openSeconds: -1))
        #expect(breaker.settings.failureThreshold == 1)
        breaker.record(.failure, wasProbe: false, now: 3)
        #expect(breaker.state == .open(until: 3))
        #expect(breaker.admit(now: 3) == .probe)
    }

    @Test(arguments: [
        (502, Machine.Outcome.failure), (503, .failure), (504, .failure), (500, .success), (429, .success),
        (404, .success), (200, .success),
    ])
    func statusesThatSayTheEndpointIsUnhealthy(status: Int, expected: Machine.Outcome) {
        #expect(Machine.Outcome(status: status) == expected)
    }

    @Test(arguments: [
        (TransportError.Code.connectFailed, Machine.Outcome.failure), (.reset, .failure), (.timedOut, .failure),
        (.cancelled, .neutral), (.tooLarge, .neutral), (.other, .neutral),
    ])
    func transportErrorsThatSayTheEndpointIsUnhealthy(code: TransportError.Code, expected: Machine.Outcome) {
        #expect(Machine.Outcome(error: TransportError(code)) == expected)
        #expect(Machine.Outcome(error: CancellationError()) == .neutral)
    }
}
