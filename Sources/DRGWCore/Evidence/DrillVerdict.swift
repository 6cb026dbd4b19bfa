import Foundation

/// The gateway's own reading of a drill's evidence: pure arithmetic, time passed in.
public enum DrillVerdict {
    /// Recovery time as measured: seconds from the request to the first sight of the drill ready,
    /// rounded to milliseconds (never negative).
    public static func rtoSeconds(requestedAt: Date, readyAt: Date) -> Double {
        (max(0, readyAt.timeIntervalSince(requestedAt)) * 1000).rounded() / 1000
    }

    /// Data loss window: seconds from the recovery point the drill was made from to the drill's
    /// start (never negative: a recovery point after the start means nothing was lost).
    public static func rpoSeconds(recoveryPoint: Date, drillStart: Date) -> Double {
        (max(0, drillStart.timeIntervalSince(recoveryPoint)) * 1000).rounded() / 1000
    }

    /// The outcome the gateway sets by itself once a drill is ready (or failed), with its findings.
    /// The gateway only ever fails a drill: `passed` is a person's word, so a drill within its
    /// targets stays `pending`.
    public static func judge(
        drillFailed: Bool, rtoSeconds: Double?, rpoSeconds: Double?, rtoTargetSeconds: Int?, rpoTargetSeconds: Int?
    ) -> (outcome: DrillOutcome, findings: [String]) {
        var findings: [String] = []
        if drillFailed { findings.append("the drill failed upstream") }
        if let target = rtoTargetSeconds, let rto = rtoSeconds, rto > Double(target) {
            findings.append("RTO \(format(rto)) s missed the target of \(target) s")
        }
        if let target = rpoTargetSeconds {
            if let rpo = rpoSeconds {
                if rpo > Double(target) { findings.append("RPO \(format(rpo)) s missed the target of \(target) s") }
            } else if !drillFailed {
                findings.append("RPO unknown: the target of \(target) s could not be checked")
            }
        }
        let failed = drillFailed || findings.contains { $0.contains("missed the target") }
        return (failed ? .failed : .pending, findings)
    }

    /// Seconds with at most three decimals, without trailing zeros.
    public static func format(_ seconds: Double) -> String {
        let millis = Int((seconds * 1000).rounded())
        if millis % 1000 == 0 { return String(millis / 1000) }
        var text = String(format: "%.3f", Double(millis) / 1000)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
