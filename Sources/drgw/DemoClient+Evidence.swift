import DRGWCore
import Foundation

extension DemoClient {
    /// The evidence round trip of one account: a drill with `cleanupAfter` and targets, its report
    /// with the RTO the gateway measured and the RPO from the provider's data, then the gateway's
    /// own cleanup after the deadline, verified by a later upstream read.
    func evidenceRoundTrip(account: String) async throws {
        let (_, groups) = try await call("GET", "/v1/accounts/\(account)/protection-groups")
        let items = groups["items"] as? [[String: Any]] ?? []
        guard let groupId = (items.first { ($0["status"] as? String) == "protected" } ?? items.first)?["id"] as? String else {
            throw Failure(description: "no protection group in \(account)")
        }
        let body: [String: Any] = [
            "name": "demo-evidence-\(Int(Date().timeIntervalSince1970) % 100000)", "protectionGroupId": groupId,
            "cleanupAfter": "PT3S", "rtoTargetSeconds": 60, "rpoTargetSeconds": 900,
        ]
        let (status, created) = try await call(
            "POST", "/v1/accounts/\(account)/drills", body: body,
            headers: [("Idempotency-Key", "demo-evidence-\(account)-\(UUID().uuidString)"), ("Prefer", "wait=30")])
        try expect(status == 200 || status == 202, "evidence drill create answered \(status): \(created["detail"] ?? "")")
        let operation = try await finish(created)
        try expect(operation["status"] as? String == "succeeded", "evidence drill create ended \(operation["status"] ?? "?")")
        guard let drillId = (operation["resource"] as? [String: Any])?["id"] as? String else {
            throw Failure(description: "operation has no drill id")
        }
        let (_, drill) = try await call("GET", "/v1/accounts/\(account)/drills/\(drillId)")
        emit("[\(account)] drill \(drillId) with cleanupAfter PT3S: expiresAt \(drill["expiresAt"] ?? "?")")
        let (reportStatus, report) = try await call("GET", "/v1/accounts/\(account)/drills/\(drillId)/report")
        try expect(reportStatus == 200 && report["rtoSeconds"] is Double, "report of \(drillId) has no RTO: \(report)")
        let rpo = (report["rpoSeconds"] as? Double).map { "\(DrillVerdict.format($0)) s" } ?? "unknown"
        emit(
            "[\(account)] report: RTO \(DrillVerdict.format(report["rtoSeconds"] as? Double ?? 0)) s (target 60), RPO \(rpo) (target 900)"
                + " from \(report["rpoBasis"] ?? "?"); outcome \(report["outcome"] ?? "?")")

        let deadline = Date().addingTimeInterval(60)
        var current = report
        while current["cleanupVerified"] as? Bool != true {
            try expect(Date() < deadline, "the cleanup of \(drillId) was not verified in time (\(current["cleanupStatus"] ?? "?"))")
            try await Task.sleep(for: .milliseconds(250))
            (_, current) = try await call("GET", "/v1/accounts/\(account)/drills/\(drillId)/report")
        }
        let (goneStatus, _) = try await call("GET", "/v1/accounts/\(account)/drills/\(drillId)")
        try expect(goneStatus == 404, "drill \(drillId) still answers \(goneStatus) after a verified cleanup")
        emit("[\(account)] cleaned up by the gateway at \(current["cleanedUpAt"] ?? "?"), verified upstream; the report stays readable")
    }
}
