import AlibabaEBS
@testable import AlibabaEBSSimulation
import DRGWCore
import Foundation
import Testing

/// Drives the adapter (the production signers) against the simulator with V3 and V1 accounts,
/// with an STS token, and, when `DRGW_ALIBABA_CAPTURE` names a file, writes every request the
/// simulator accepted to it, for `scripts/interop/alibaba_sdk_interop.py` to re-sign with the
/// official SDK's code and compare byte for byte. Without the variable it still checks that
/// every request was accepted.
@Suite struct InteropCaptureTests {
    @Test func captureSignedRequests() async throws {
        try await SimulatorHarness.run { h in
            var captured: [[String: Any]] = []
            for signature in ["v3", "v1"] {
                var account = h.account(signature: signature)
                account.credentials.securityToken = "CAIS+STS/token==example"
                let provider = try AlibabaEBSProvider(account: account, transport: h.transport)
                let context = CallContext(requestId: "cap", clientToken: "capture-\(signature)")
                _ = try await provider.listProtectionGroups(cursor: nil, limit: 10, context: context)
                let job = try await provider.createDrill(
                    CreateDrillInput(name: "capture", protectionGroupId: AlibabaEBSSimulator.seedGroupId), context: context)
                _ = try await finish(job, with: provider)
                let delete = try await provider.deleteDrill(id: job.resource.id!, context: context)
                _ = try await finish(delete, with: provider)
            }
            let accepted = h.simulator.requestLog.all
            #expect(accepted.allSatisfy { $0.status == 200 })
            for request in accepted {
                captured.append([
                    "method": request.method, "query": request.query,
                    "headers": request.headers.map { [$0.name, $0.value] },
                    "accessKey": SimulatorHarness.accessKey, "secretKey": SimulatorHarness.secretKey,
                ])
            }
            #expect(captured.count >= 10)
            if let path = ProcessInfo.processInfo.environment["DRGW_ALIBABA_CAPTURE"], !path.isEmpty {
                let data = try JSONSerialization.data(withJSONObject: captured, options: [.prettyPrinted, .sortedKeys])
                try data.write(to: URL(fileURLWithPath: path))
            }
        }
    }

    @Test func pluginValidatesAccountsAndBuildsTheDemoAccount() throws {
        let good = AccountSettings(id: "a", provider: "alibaba-ebs", region: "cn-shanghai", credentials: Credentials(accessKey: "AK", secretKey: "SK"))
        #expect(AlibabaEBSPlugin.validate(account: good).isEmpty)
        var bad = good
        bad.signature = "v2"
        bad.credentials = Credentials(accessKey: "AK")
        #expect(Set(AlibabaEBSPlugin.validate(account: bad).map(\.key)) == ["credentials.secretKey", "signature"])
        let demo = AlibabaEBSPlugin.demoAccount(
            id: "ali-demo", endpoint: "http://127.0.0.1:1", options: SimulatorOptions(accessKey: "AK", secretKey: "SK"))
        #expect(demo.signature == "v3" && demo.region == "cn-shanghai" && demo.endpoint == "http://127.0.0.1:1")
        #expect(demo.credentials.accessKey == "AK" && demo.credentials.secretKey == "SK")
        #expect(AlibabaEBSPlugin.name == "alibaba-ebs" && AlibabaEBSPlugin.defaultRegion == "cn-shanghai")
        let simulator = AlibabaEBSSimulatorPlugin.makeSimulator(options: SimulatorOptions(accessKey: "AK", secretKey: "SK", region: "cn-hangzhou"))
        #expect(simulator.seedSummary.joined(separator: "\n").contains(AlibabaEBSSimulator.seedGroupId))
        #expect(simulator.seedSummary.first?.contains("cn-hangzhou") == true)
    }
}
