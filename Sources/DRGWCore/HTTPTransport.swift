import Foundation

/// One outbound HTTP request. Header order is kept as given.
public struct UpstreamRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Seconds to establish the connection (TCP + TLS).
    public var connectTimeout: Double
    /// Seconds for the whole exchange.
    public var timeout: Double
    /// Largest response body accepted; more fails with `TransportError.tooLarge`.
    public var maxResponseBytes: Int
    /// The adapter's name of the upstream call (e.g. an RPC action), for metrics and logs; never
    /// sent. Without it the method and the path with ids replaced name the call.
    public var operationName: String?

    public init(
        method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        connectTimeout: Double = 5, timeout: Double = 30, maxResponseBytes: Int = 8 << 20, operationName: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.operationName = operationName
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { HeaderName.equal($0.name, name) }?.value
    }
}

/// One inbound HTTP response.
public struct UpstreamResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { HeaderName.equal($0.name, name) }?.value
    }
}

/// Sends HTTP requests. Implementations never block a Swift cooperative thread.
public protocol HTTPTransport: Sendable {
    /// Sends one request and returns the whole response. Cancelling the task abandons the transfer.
    func send(_ request: UpstreamRequest) async throws -> UpstreamResponse
}

/// A transport failure with a stable code; `description` never carries the URL's query or a body.
public struct TransportError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The connection could not be made; the request was never sent.
        case connectFailed = "connect_failed"
        case timedOut = "timed_out"
        case tls
        case tooLarge = "too_large"
        /// The connection broke after the request may have been sent.
        case reset
        case cancelled
        case other
    }

    public var code: Code
    /// Seconds that passed before the failure, for metrics.
    public var detail: String

    public init(_ code: Code, detail: String = "") {
        self.code = code
        self.detail = detail
    }

    public var description: String { "TransportError(\(code.rawValue))" }

    /// True when the failure proves the request never reached the server.
    public var requestNeverSent: Bool { code == .connectFailed }
}
