import Synchronization

/// Which accounts' upstream calls fail now, and with which problem code, so that a failing
/// upstream is logged once when it starts failing (or fails differently) and once when it
/// answers again, not once per request.
final class UpstreamHealthLog: Sendable {
    private let failing = Mutex<[String: String]>([:])

    /// True when `account` was healthy or failed with another code before.
    func failed(account: String, code: String) -> Bool {
        failing.withLock { map in
            defer { map[account] = code }
            return map[account] != code
        }
    }

    /// True when `account` was failing before.
    func answered(account: String) -> Bool {
        failing.withLock { $0.removeValue(forKey: account) != nil }
    }
}
