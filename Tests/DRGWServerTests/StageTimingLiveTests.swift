import DRGWCore
import DRGWServer
import DRGWTesting
import Foundation
import Testing

/// The stage-timing diagnostic through a real gateway and a real upstream.
@Suite("Stage timing (live)")
struct StageTimingLiveTests {
    @Test("every stage of a request with an upstream call is timed; a client cannot name a trace")
    func stagesOfUpstreamReads() async throws {
        let stages = StageTimings()
        let options = SimulatorOptions(accessKey: "AKSTAGETIMING0000001", secretKey: "stage-\(UUID().uuidString)")
        try await LiveGateway.withHuawei(account: "hw-stage", options: options, stages: stages) { gateway, _ in
            for _ in 0..<5 {
                let read = try await gateway.send("GET", "/v1/accounts/hw-stage/protection-groups")
                #expect(read.status == 200)
            }
            // The front replaces a client's value, so this request is traced under its own name.
            let named = try await gateway.send("GET", "/v1/accounts/hw-stage/protection-groups", headers: [("X-Drgw-Stage-Trace", "1")])
            #expect(named.status == 200)
            // No upstream call: only the front's and the handler's stages.
            let health = try await gateway.get("/healthz")
            #expect(health.status == 200)
        }
        // Read after the gateway stopped: every answer has been written by then.
        let summary = stages.summary
        #expect(summary.requests == 7)
        let byName = Dictionary(uniqueKeysWithValues: summary.stages.map { ($0.stage, $0) })
        #expect(summary.stages.map(\.stage) == StageTrace.Stage.allCases.dropFirst().map(\.name))
        for upstream in ["handed_to_transport", "transfer_started", "first_byte", "transfer_done", "resumed"] {
            #expect(byName[upstream]?.count == 6, "\(upstream)")
        }
        for front in ["handler_entered", "response_ready", "written"] {
            #expect(byName[front]?.count == 7, "\(front)")
        }
        let total = try #require(summary.total)
        #expect(total.count == 7)
        #expect(total.p50 > 0 && total.p50 <= total.p99)
        // The upstream's time to its first byte is one part of a request's whole time.
        #expect((byName["first_byte"]?.p50 ?? .infinity) < total.p99)

        // What the gateway writes at stop (`diagnostics.stageTimingFile`) is this summary.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stages-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try stages.write(to: path)
        let data = try #require(FileManager.default.contents(atPath: path))
        #expect(try JSONDecoder().decode(StageTimings.Summary.self, from: data) == summary)
    }
}
