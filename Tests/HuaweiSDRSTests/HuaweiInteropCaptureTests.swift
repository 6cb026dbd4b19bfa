import DRGWCore
import DRGWTransport
import Foundation
import Testing

@testable import HuaweiSDRS
@testable import HuaweiSDRSSimulation

/// Drives the adapter through a varied set of calls and, when `DRGW_HUAWEI_CAPTURE` names a file,
/// writes every request the simulator accepted (as signed by drgw) to it. The interop script
/// `scripts/interop/huawei_sdk_interop.py` re-signs each one with the official SDK's `Signer` and
/// compares the `Authorization` values.
@Suite struct HuaweiInteropCaptureTests {
    @Test func captureSignedRequests() async throws {
        try await SDRSSimulatorHarness.with(jobSeconds: 0.1) { h in
            let context = CallContext(requestId: "capture", traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            let provider = try h.provider()
            let seed = h.simulator.seedGroupId
            _ = try await provider.listProtectionGroups(cursor: "0", limit: 7, context: context)
            _ = try await provider.protectionGroup(id: seed, context: context)
            for name in ["capture_drill", "演练-捕获"] {
                let job = try await provider.createDrill(CreateDrillInput(name: name, protectionGroupId: seed), context: context)
                if case .succeeded(let id?) = try await SDRSSimulatorHarness.finish(job, on: provider) {
                    _ = try await provider.drill(id: id, context: context)
                    _ = try await SDRSSimulatorHarness.finish(try await provider.deleteDrill(id: id, context: context), on: provider)
                }
            }
            _ = try await provider.listDrills(protectionGroupId: seed, cursor: "0", limit: 5, context: context)
            let reverse = try await provider.perform(.switchover, onProtectionGroup: seed, input: ActionInput(priorityStation: "target"), context: context)
            _ = try await SDRSSimulatorHarness.finish(reverse, on: provider)

            // Temporary credentials add a signed X-Security-Token.
            let sts = AccountSettings(
                id: "hw-sts", provider: "huawei-sdrs", region: "ap-southeast-3", endpoint: h.endpoint,
                options: ["projectId": h.simulator.projectId],
                credentials: Credentials(
                    accessKey: SDRSSimulatorHarness.accessKey, secretKey: SDRSSimulatorHarness.secretKey,
                    securityToken: "gQpjbi1ub3J0aC00EXAMPLETOKEN"))
            _ = try await HuaweiSDRSProvider(account: sts, transport: h.transport).protectionGroup(id: seed, context: context)

            let accepted = h.simulator.requestLog.all.filter { $0.status == 200 }
            #expect(accepted.count >= 12)
            #expect(accepted.contains { $0.header("X-Security-Token") != nil })
            #expect(accepted.contains { !$0.query.isEmpty })
            #expect(accepted.allSatisfy { $0.header("Authorization")?.hasPrefix("SDK-HMAC-SHA256 ") == true })

            guard let path = ProcessInfo.processInfo.environment["DRGW_HUAWEI_CAPTURE"], !path.isEmpty else { return }
            let requests: [[String: Any]] = accepted.map { r in
                [
                    "method": r.method, "path": r.path, "query": r.query,
                    "headers": r.headers.map { [$0.name, $0.value] },
                    "bodyBase64": Data(r.body).base64EncodedString(),
                    "action": r.action ?? "",
                ]
            }
            let document: [String: Any] = [
                "accessKey": SDRSSimulatorHarness.accessKey, "secretKey": SDRSSimulatorHarness.secretKey,
                "requests": requests,
            ]
            let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: path))
        }
    }
}
