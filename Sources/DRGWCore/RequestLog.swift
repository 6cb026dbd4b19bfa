import Foundation
import Synchronization

/// One request as a simulator received it.
public struct RecordedRequest: Sendable {
    public var method: String
    public var path: String
    public var query: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The provider action (Alibaba `Action`, Huawei route name), when known.
    public var action: String?
    /// The answer's status.
    public var status: Int
    /// The connection's remote port, to count distinct connections.
    public var remotePort: Int?

    public init(
        method: String, path: String, query: String, headers: [(name: String, value: String)], body: [UInt8],
        action: String?, status: Int, remotePort: Int? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.action = action
        self.status = status
        self.remotePort = remotePort
    }

    public func header(_ name: String) -> String? {
        headers.first { HeaderName.equal($0.name, name) }?.value
    }
}

/// A thread-safe, bounded log of recorded requests.
public final class RequestLog: Sendable {
    private let entries = Mutex<[RecordedRequest]>([])
    private let capacity: Int

    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    public func append(_ request: RecordedRequest) {
        entries.withLock {
            if $0.count >= capacity { $0.removeFirst($0.count / 2) }
            $0.append(request)
        }
    }

    public var all: [RecordedRequest] { entries.withLock { $0 } }

    public func removeAll() { entries.withLock { $0.removeAll() } }

    public func filter(_ isIncluded: (RecordedRequest) -> Bool) -> [RecordedRequest] {
        entries.withLock { $0.filter(isIncluded) }
    }
}
