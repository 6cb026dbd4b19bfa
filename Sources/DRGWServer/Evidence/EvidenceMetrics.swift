import DRGWStore
import Foundation
import Prometheus
import Synchronization

/// The drill evidence metrics, on the gateway's Prometheus registry:
/// `drgw_drill_rto_seconds{account,provider}` (histogram), `drgw_drill_last_success_timestamp_seconds
/// {account,protection_group}` (0 for a group whose drills never succeeded) and
/// `drgw_drills_leftover{account}`. The gauges are set from the store, so they survive restarts
/// and agree across replicas.
final class EvidenceMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    /// Accounts that always get a leftover series (0 when clean).
    let accounts: [String]

    init(registry: PrometheusCollectorRegistry, accounts: [String]) {
        self.registry = registry
        self.accounts = accounts
    }

    /// RTO buckets: from seconds (simulators) to the hours a real recovery can take.
    static let rtoBuckets: [Double] = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14_400, 28_800]

    private static var rto: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "drgw", metricName: "drill_rto", unitName: "seconds",
        helpText: "Seconds from a drill's create request to the gateway first seeing it ready.") }
    private static var lastSuccess: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "drgw", metricName: "drill_last_success_timestamp", unitName: "seconds",
        helpText: "Unix time the newest drill of a protection group became ready without failing; 0 when none did.") }
    private static var leftover: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "drgw", metricName: "drills_leftover", unitName: "",
        helpText: "Drills still present upstream past their expiry, or after a delete that reported success.") }

    /// Records one measured RTO.
    func observeRTO(_ seconds: Double, account: String, provider: String) {
        registry.makeValueHistogram(
            descriptor: Self.rto, labels: [("account", account), ("provider", provider)], buckets: Self.rtoBuckets
        ).record(seconds)
    }

    /// The newest success per group this process has set, so that a late-finishing older drill
    /// never moves a group's gauge back.
    private let newest = Mutex<[String: Double]>([:])

    /// One drill of `group` became ready without failing at `readyAt`: that group's gauge only,
    /// without reading the store (the periodic `refresh` reconciles everything).
    func noteSuccess(account: String, protectionGroup: String, at readyAt: Date) {
        let value = readyAt.timeIntervalSince1970
        let raise = newest.withLock { seen -> Bool in
            let key = account + "\u{1F}" + protectionGroup
            guard value > (seen[key] ?? 0) else { return false }
            seen[key] = value
            return true
        }
        guard raise else { return }
        registry.makeGauge(descriptor: Self.lastSuccess, labels: [("account", account), ("protection_group", protectionGroup)])
            .set(value)
    }

    /// Sets the gauges from the store's current figures. Each call reads every report (two
    /// aggregate queries), so it runs on the sweeper's period, not per drill.
    func refresh(from store: any DrillReportStore) async {
        if let successes = try? await store.groupSuccesses() {
            for group in successes {
                let value = group.lastSuccess?.timeIntervalSince1970 ?? 0
                newest.withLock { $0[group.account + "\u{1F}" + group.protectionGroupId] = value }
                registry.makeGauge(descriptor: Self.lastSuccess, labels: [("account", group.account), ("protection_group", group.protectionGroupId)])
                    .set(value)
            }
        }
        if let counts = try? await store.leftoverCounts() {
            for account in Set(accounts).union(counts.keys) {
                registry.makeGauge(descriptor: Self.leftover, labels: [("account", account)]).set(Double(counts[account] ?? 0))
            }
        }
    }
}
