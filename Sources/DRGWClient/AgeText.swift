import DRGWCore
import Foundation

/// How long ago a time was, the way `kubectl` shows it: `45s`, `12m`, `5h`, `3d`.
public enum AgeText {
    /// `-` when the time is missing or not RFC 3339.
    public static func since(_ rfc3339: String?, now: Date) -> String {
        guard let rfc3339, let date = Timestamp.parseRFC3339(rfc3339) else { return "-" }
        return since(date, now: now)
    }

    public static func since(_ date: Date, now: Date) -> String {
        duration(max(0, now.timeIntervalSince(date)))
    }

    /// Seconds as the largest whole unit (seconds up to 2 minutes, minutes up to 2 hours, …).
    public static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds)
        switch whole {
        case ..<120: return "\(whole)s"
        case ..<7200: return "\(whole / 60)m"
        case ..<172_800: return "\(whole / 3600)h"
        default: return "\(whole / 86400)d"
        }
    }
}
