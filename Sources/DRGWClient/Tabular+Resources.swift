import DRGWCore
import Foundation

extension AccountSummary: Tabular {
    public static let columns = ["ID", "PROVIDER", "REGION"]
    public func cells(now: Date) -> [String] { [id, provider, region] }
    public func fields(now: Date) -> [(String, String?)] { [("id", id), ("provider", provider), ("region", region)] }
}

extension ProtectionGroup: Tabular {
    public static let columns = ["ID", "NAME", "STATUS", "PROVIDER STATUS", "KIND", "AGE"]
    public func cells(now: Date) -> [String] {
        [id, name, status.rawValue, providerStatus, kind.rawValue, AgeText.since(createdAt, now: now)]
    }
    public func fields(now: Date) -> [(String, String?)] {
        [
            ("id", id), ("name", name), ("account", account), ("provider", provider), ("kind", kind.rawValue),
            ("status", status.rawValue), ("providerStatus", providerStatus), ("description", description),
            ("source", sourceAvailabilityZone ?? sourceRegionId), ("target", targetAvailabilityZone ?? destinationRegionId),
            ("priorityStation", priorityStation), ("members", memberCount.map(String.init)), ("createdAt", createdAt),
            ("updatedAt", updatedAt),
        ]
    }
}

extension Drill: Tabular {
    public static let columns = ["ID", "NAME", "STATUS", "GROUP", "AGE"]
    public func cells(now: Date) -> [String] {
        [id, name, status.rawValue, protectionGroupId, AgeText.since(createdAt, now: now)]
    }
    public func fields(now: Date) -> [(String, String?)] {
        [
            ("id", id), ("name", name), ("account", account), ("provider", provider), ("status", status.rawValue),
            ("providerStatus", providerStatus), ("protectionGroupId", protectionGroupId), ("drillNetworkId", drillNetworkId),
            ("providerId", providerId), ("createdAt", createdAt), ("expiresAt", expiresAt),
        ]
    }
}

extension GatewayOperation: Tabular {
    public static let columns = ["ID", "KIND", "STATUS", "RESOURCE", "ACCOUNT", "AGE"]
    public func cells(now: Date) -> [String] {
        [id, kind, status.rawValue, resource.id ?? "-", account, AgeText.since(createdAt, now: now)]
    }
    public func fields(now: Date) -> [(String, String?)] {
        [
            ("id", id), ("kind", kind), ("status", status.rawValue), ("account", account),
            ("resource", "\(resource.type) \(resource.id ?? "-")"), ("createdAt", createdAt), ("updatedAt", updatedAt),
            ("error", error.map { "\($0.code): \($0.detail)" }), ("lastPolledAt", lastPolledAt),
            ("lastPollError", lastPollError.map { "\($0.code): \($0.detail)" }),
        ]
    }
}

extension DrillReport: Tabular {
    public static let columns = ["ID", "DRILL", "NAME", "OUTCOME", "RTO", "RPO", "CLEANUP", "AGE"]
    public func cells(now: Date) -> [String] {
        [
            id, drillId ?? "-", name, outcome.rawValue, seconds(rtoSeconds) ?? "-", seconds(rpoSeconds) ?? "-", cleanupStatus.rawValue,
            AgeText.since(requestedAt, now: now),
        ]
    }
    public func fields(now: Date) -> [(String, String?)] {
        [
            ("id", id), ("drillId", drillId), ("name", name), ("account", account), ("provider", provider),
            ("protectionGroupId", protectionGroupId), ("outcome", outcome.rawValue), ("requestedAt", time(requestedAt)),
            ("readyAt", time(readyAt)), ("rto", seconds(rtoSeconds)), ("rtoTarget", seconds(rtoTargetSeconds)),
            ("rpo", seconds(rpoSeconds)), ("rpoTarget", seconds(rpoTargetSeconds)), ("rpoBasis", rpoBasis),
            ("cleanup", cleanupStatus.rawValue), ("cleanedUpAt", time(cleanedUpAt)), ("expiresAt", time(expiresAt)),
            ("notes", notes), ("findings", findings.isEmpty ? nil : findings.joined(separator: "; ")), ("scheduleId", scheduleId),
            ("operations", operations.joined(separator: ", ")),
        ]
    }
}

extension Schedule: Tabular {
    public static let columns = ["ID", "NAME", "ACCOUNT", "GROUP", "CRON", "NEXT RUN", "LAST ERROR"]
    public func cells(now: Date) -> [String] {
        [id, name, account, protectionGroupId, "\(cron) \(timezone)", time(nextRunAt) ?? "-", lastError ?? "-"]
    }
    public func fields(now: Date) -> [(String, String?)] {
        [
            ("id", id), ("name", name), ("account", account), ("protectionGroupId", protectionGroupId), ("cron", cron),
            ("timezone", timezone), ("enabled", String(enabled)), ("cleanupAfter", cleanupAfter),
            ("rtoTarget", seconds(rtoTargetSeconds)), ("rpoTarget", seconds(rpoTargetSeconds)), ("createdAt", time(createdAt)),
            ("nextRunAt", time(nextRunAt)), ("lastRunAt", time(lastRunAt)), ("lastDrillId", lastDrillId),
            ("lastOperationId", lastOperationId), ("lastError", lastError),
        ]
    }
}
