import Metrics

/// The upstream retry counter every adapter bumps once per re-sent attempt
/// (`drgw_upstream_retries_total{provider}`), kept in core so adapters need no metrics import.
public enum UpstreamRetryMetric {
    /// The metric's name.
    public static let label = "drgw_upstream_retries_total"

    /// Counts one retry of a call to `provider`.
    public static func record(provider: String) {
        Counter(label: label, dimensions: [("provider", provider)]).increment()
    }
}
