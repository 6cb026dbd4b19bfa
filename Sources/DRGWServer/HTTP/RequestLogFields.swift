import Synchronization

/// What a request's log line names beyond method, path and status (tenant, account), filled in
/// by the middleware and routes the request passes; shared by every copy of its context.
public final class RequestLogFields: Sendable {
    private let values = Mutex<[String: String]>([:])

    public init() {}

    func set(_ key: String, _ value: String) { values.withLock { $0[key] = value } }

    var all: [String: String] { values.withLock { $0 } }
}
