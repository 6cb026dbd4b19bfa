import DRGWCore
import DRGWTransport
import Foundation
import ServiceLifecycle

/// Prints the demo key and curl lines once everything listens; with `--round-trip` it also
/// drives one drill through the gateway per account and ends the demo.
struct DemoPrinter: Service {
    let demo: DemoSetup
    let ports: PortBox
    let gatewayIndex: Int
    let roundTrip: Bool

    func run() async throws {
        let all = await ports.values(upTo: gatewayIndex + 1)
        let base = "http://127.0.0.1:\(all[gatewayIndex])"
        var lines = [
            "drgw demo: gateway listening on \(base)",
        ]
        for (simulator, port) in zip(demo.simulators, all) {
            lines.append("  simulator \(simulator.plugin.name) for account \(simulator.accountId) on http://127.0.0.1:\(port)")
            lines += simulator.instance.seedSummary.map { "    " + $0 }
        }
        lines += [
            "",
            "Demo API key: \(demo.key)",
            "",
            "Try:",
            "  export DRGW_KEY=\(demo.key)",
            "  curl -s \(base)/v1/accounts -H \"Authorization: Bearer $DRGW_KEY\"",
            "  curl -s \(base)/v1/accounts/\(demo.simulators[0].accountId)/protection-groups -H \"Authorization: Bearer $DRGW_KEY\"",
            "  curl -s -X POST \(base)/v1/accounts/\(demo.simulators[0].accountId)/drills -H \"Authorization: Bearer $DRGW_KEY\" \\",
            "       -H 'Content-Type: application/json' -H 'Idempotency-Key: demo-1' -H 'Prefer: wait=30' \\",
            "       -d '{\"name\":\"dr_drill_test\",\"protectionGroupId\":\"<id from the list above>\"}'",
            "  curl -s \(base)/v1/operations -H \"Authorization: Bearer $DRGW_KEY\"",
            "",
        ]
        emit(lines.joined(separator: "\n"))
        guard roundTrip else { return }
        let transport = CurlTransport(userAgent: "drgw-demo/0.1.0")
        defer { transport.shutdown() }
        let client = DemoClient(base: base, key: demo.key, transport: transport)
        for simulator in demo.simulators {
            try await client.drillRoundTrip(account: simulator.accountId)
            try await client.evidenceRoundTrip(account: simulator.accountId)
        }
        emit("drgw demo: round trip complete on \(demo.simulators.count) accounts")
    }
}
