import Foundation
import Synchronization

/// A clock that moves one second on every read, so each signature gets a new X-Sdk-Date.
final class SteppingClock: Sendable {
    private let now = Mutex(Date(timeIntervalSince1970: 1_704_164_645))  // 2024-01-02T03:04:05Z

    func read() -> Date {
        now.withLock { date in
            defer { date.addTimeInterval(1) }
            return date
        }
    }
}
