import AlibabaEBS
import DRGWCore
import Foundation
import HuaweiSDRS
import Synchronization
import Testing

@testable import DRGWServer

/// A transport that answers from a script and counts the requests that reached it.
final class CountingTransport: HTTPTransport {
    enum Step: Sendable {
        case status(Int)
        case fail(TransportError.Code)
    }

    private let state: Mutex<(sent: Int, step: Step)>

    init(_ step: Step) { state = Mutex((0, step)) }

    var sent: Int { state.withLock { $0.sent } }

    func answer(_ step: Step) { state.withLock { $0.step = step } }

    func send(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        let step = state.withLock { s -> Step in
            s.sent += 1
            return s.step
        }
        switch step {
        case .status(let status): return UpstreamResponse(status: status, body: Array("{}".utf8))
        case .fail(let code): throw TransportError(code)
        }
    }
}

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let seconds = Mutex(0.0)
    var now: Double { seconds.withLock { $0 } }
    func advance(_ by: Double) { seconds.withLock { $0 += by } }
}

@Suite("CircuitBreakerTransport")
struct CircuitBreakerTransportTests {
    func make(_ base: CountingTransport, _ clock: ManualClock, threshold: Int = 3, open: Double = 5) -> CircuitBreakerTransport {
        CircuitBreakerTransport(
            base: base, account: "acct-unit-" + UUID().uuidString.prefix(6), provider: "huawei-sdrs",
            settings: BreakerSettings(failureThreshold: threshold, openSeconds: open), now: { clock.now })
    }

    let request = UpstreamRequest(method: "GET", url: "http://127.0.0.1:9/v1/p/jobs/1")

    @Test func openCircuitThrowsUpstreamUnavailableWithoutSending() async throws {
        let base = CountingTransport(.fail(.connectFailed))
        let clock = ManualClock()
        let breaker = make(base, clock)
        for _ in 0..<3 { await #expect(throws: TransportError.self) { _ = try await breaker.send(request) } }
        #expect(base.sent == 3)
        clock.advance(1.5)
        do {
            _ = try await breaker.send(request)
            Issue.record("an open circuit sent the request")
        } catch let problem as Problem {
            #expect(problem.code == "upstream_unavailable")
            #expect(problem.status == 503)
            #expect(problem.retryAfter == 4)
        }
        #expect(base.sent == 3)
    }

    @Test func fiveHundredAndFourHundredAnswersDoNotOpenButGatewayErrorsDo() async throws {
        let base = CountingTransport(.status(500))
        let clock = ManualClock()
        let breaker = make(base, clock)
        for _ in 0..<5 { #expect(try await breaker.send(request).status == 500) }
        base.answer(.status(429))
        for _ in 0..<5 { #expect(try await breaker.send(request).status == 429) }
        #expect(breaker.state == .closed)
        base.answer(.status(503))
        for _ in 0..<3 { #expect(try await breaker.send(request).status == 503) }
        #expect(breaker.state == .open(until: 5))
    }

    @Test func probeAfterCoolDownClosesOnSuccessAndReopensOnFailure() async throws {
        let base = CountingTransport(.fail(.reset))
        let clock = ManualClock()
        let breaker = make(base, clock)
        for _ in 0..<3 { _ = try? await breaker.send(request) }
        clock.advance(5)
        _ = try? await breaker.send(request)
        #expect(base.sent == 4)
        #expect(breaker.state == .open(until: 10))
        clock.advance(5)
        base.answer(.status(200))
        #expect(try await breaker.send(request).status == 200)
        #expect(breaker.state == .closed)
        #expect(base.sent == 5)
    }

    @Test func huaweiAdapterStopsRetryingAtTheOpenCircuit() async throws {
        let base = CountingTransport(.fail(.connectFailed))
        let clock = ManualClock()
        let account = AccountSettings(
            id: "hw-unit", provider: "huawei-sdrs", region: "ap-southeast-3", endpoint: "http://127.0.0.1:9",
            options: ["projectId": "0605767a3300d5762fb7c0186d9e1779"], credentials: Credentials(accessKey: "AKUNIT000000000001", secretKey: "unit-secret-0123456789"),
            limits: UpstreamLimits(maxAttempts: 10, retryBudgetSeconds: 30, baseBackoff: 0.001))
        let provider = try HuaweiSDRSPlugin.makeProvider(account: account, transport: make(base, clock))
        do {
            _ = try await provider.protectionGroup(id: "40df180b-9fe2-471a-8c64-1b758dc84189", context: CallContext(requestId: "u"))
            Issue.record("expected a problem")
        } catch let problem as Problem {
            #expect(problem.code == "upstream_unavailable")
            #expect(problem.retryAfter != nil)
        }
        #expect(base.sent == 3)
    }

    @Test func alibabaAdapterStopsRetryingAtTheOpenCircuit() async throws {
        let base = CountingTransport(.fail(.connectFailed))
        let clock = ManualClock()
        let account = AccountSettings(
            id: "ali-unit", provider: "alibaba-ebs", region: "cn-shanghai", endpoint: "http://127.0.0.1:9", options: ["signature": "v3"],
            credentials: Credentials(accessKey: "LTAIUNIT0000000001", secretKey: "unit-secret-0123456789"),
            limits: UpstreamLimits(maxAttempts: 10, retryBudgetSeconds: 30, baseBackoff: 0.001))
        let provider = try AlibabaEBSPlugin.makeProvider(account: account, transport: make(base, clock))
        do {
            _ = try await provider.listProtectionGroups(cursor: nil, limit: 10, context: CallContext(requestId: "u"))
            Issue.record("expected a problem")
        } catch let problem as Problem {
            #expect(problem.code == "upstream_unavailable")
            #expect(problem.retryAfter != nil)
        }
        #expect(base.sent == 3)
    }
}
