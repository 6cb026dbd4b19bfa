import DRGWCore
import Foundation

/// Reports as CSV: the contract's members in its order, then the gateway's extra ones. Lists are
/// joined with spaces (ids never contain one), findings with ` | `; unknown values are empty.
enum DrillReportCSV {
    static let header = [
        "drillId", "account", "provider", "protectionGroupId", "name", "requestedAt", "readyAt", "rtoSeconds", "rpoSeconds",
        "rtoTargetSeconds", "rpoTargetSeconds", "outcome", "notes", "expiresAt", "cleanedUpAt", "cleanupVerified", "operations",
        "providerRequestIds", "id", "scheduleId", "cleanupStatus", "rpoBasis", "findings",
    ]

    /// One row per report, after a header line.
    static func text(_ reports: [DrillReport]) -> String {
        var writer = CSVWriter()
        writer.row(header)
        for report in reports { writer.row(row(report)) }
        return writer.text
    }

    static func row(_ r: DrillReport) -> [String] {
        let time = { (date: Date?) in date.map(Timestamp.rfc3339) ?? "" }
        let seconds = { (value: Double?) in value.map(DrillVerdict.format) ?? "" }
        return [
            r.drillId ?? "", r.account, r.provider, r.protectionGroupId, r.name, Timestamp.rfc3339(r.requestedAt), time(r.readyAt),
            seconds(r.rtoSeconds), seconds(r.rpoSeconds), r.rtoTargetSeconds.map(String.init) ?? "",
            r.rpoTargetSeconds.map(String.init) ?? "", r.outcome.rawValue, r.notes ?? "", time(r.expiresAt), time(r.cleanedUpAt),
            r.cleanupVerified ? "true" : "false", r.operations.joined(separator: " "), r.providerRequestIds.joined(separator: " "),
            r.id, r.scheduleId ?? "", r.cleanupStatus.rawValue, r.rpoBasis ?? "", r.findings.joined(separator: " | "),
        ]
    }
}
