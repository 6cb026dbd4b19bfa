import DRGWCore
import Foundation
import Testing

@Suite("Simulator answer hold and latency")
struct AnswerHoldTests {
    private func elapsed(_ body: () async -> Void) async -> Double {
        let start = ContinuousClock.now
        await body()
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    @Test func latencyDelaysEveryAnswer() async {
        var options = SimulatorOptions(accessKey: "ak", secretKey: "sk")
        options.latencySeconds = 0.05
        let hold = AnswerHold(options: options)
        for action in ["showDrill", "createDrill", nil] {
            // A lower bound only: the sleep must happen; how long beyond it is not asserted.
            #expect(await elapsed { await hold.holdIfNeeded(action: action) } >= 0.045)
        }
    }

    @Test func jitterStaysWithinItsBounds() async {
        var options = SimulatorOptions(accessKey: "ak", secretKey: "sk")
        options.latencySeconds = 0.04
        options.latencyJitterSeconds = 0.02
        let hold = AnswerHold(options: options)
        for _ in 0..<5 {
            #expect(await elapsed { await hold.holdIfNeeded(action: "showDrill") } >= 0.019)
        }
    }

    @Test func heldActionWaitsOnceOnTopOfLatency() async {
        var options = SimulatorOptions(accessKey: "ak", secretKey: "sk")
        options.holdAction = "createDrill"
        options.holdSeconds = 0.2
        let hold = AnswerHold(options: options)
        #expect(await elapsed { await hold.holdIfNeeded(action: "createDrill") } >= 0.19)
        // the second time it is not held: it ends long before another 0.2 s hold could
        let second = await elapsed { await hold.holdIfNeeded(action: "createDrill") }
        #expect(second < 0.19)
    }
}
