import DRGWCore
import Foundation

/// Calls one drgw gateway over HTTP with a tenant's API key, and turns every answer that is not
/// a success into a `ClientFailure`. The answers decode into the gateway's own API types.
public struct GatewayClient: Sendable {
    /// The gateway's base URL without a trailing slash, e.g. `http://127.0.0.1:8080`.
    public let baseURL: String
    private let apiKey: String?
    private let transport: any HTTPTransport
    /// Seconds for one exchange (a `Prefer: wait` call adds its wait to it).
    public var timeout: Double

    /// - Parameter baseURL: `http://` or `https://`, host and optional port and path prefix.
    public init(baseURL: String, apiKey: String?, transport: any HTTPTransport, timeout: Double = 60) throws(ClientFailure) {
        var base = baseURL.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil,
            url.query == nil
        else {
            throw ClientFailure(
                code: "invalid_url", message: "the gateway URL must look like http://host:port (got '\(baseURL)')",
                exitCode: ClientExitCode.usage)
        }
        self.baseURL = base
        self.apiKey = apiKey.flatMap { $0.isEmpty ? nil : $0 }
        self.transport = transport
        self.timeout = timeout
    }

    /// One answer of the gateway.
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]
        /// The URL that was called (without the API key, which travels in a header).
        public var url: String

        public func header(_ name: String) -> String? {
            headers.first { HeaderName.equal($0.name, name) }?.value
        }

        /// The body as an API type.
        public func decode<T: Decodable>(_ type: T.Type) throws(ClientFailure) -> T {
            do {
                return try JSONDecoder().decode(type, from: Data(body))
            } catch {
                throw ClientFailure.unexpected(url, "answered \(status) with a body that is not a \(T.self)")
            }
        }
    }

    /// Sends one request; a status of 400 or more throws the gateway's problem.
    /// - Parameters:
    ///   - path: starts with `/`, segments already percent-encoded (see `segment(_:)`).
    ///   - query: names and values, encoded here.
    ///   - json: a request body, sent as `application/json`.
    ///   - extraSeconds: added to the exchange timeout (for `Prefer: wait`).
    public func send(
        _ method: String, _ path: String, query: [(String, String)] = [], json: [UInt8]? = nil,
        headers extra: [(name: String, value: String)] = [], accept: String = "application/json", extraSeconds: Double = 0
    ) async throws(ClientFailure) -> Reply {
        var url = baseURL + path
        if !query.isEmpty {
            url += "?" + query.map { "\(PercentEncoding.encode($0.0))=\(PercentEncoding.encode($0.1))" }.joined(separator: "&")
        }
        var headers: [(name: String, value: String)] = [("Accept", accept)]
        if let apiKey { headers.append(("Authorization", "Bearer \(apiKey)")) }
        if json != nil { headers.append(("Content-Type", "application/json")) }
        headers += extra
        let response: UpstreamResponse
        do {
            response = try await transport.send(
                UpstreamRequest(method: method, url: url, headers: headers, body: json ?? [], timeout: timeout + extraSeconds))
        } catch let error as TransportError {
            throw ClientFailure.unreachable(url, error)
        } catch {
            throw ClientFailure.unreachable(url, TransportError(.other))
        }
        let reply = Reply(status: response.status, headers: response.headers, body: response.body, url: url)
        guard response.status < 400 else {
            if let problem = try? JSONDecoder().decode(Problem.self, from: Data(response.body)) {
                throw ClientFailure.problem(problem)
            }
            throw ClientFailure.status(response.status, url: url)
        }
        return reply
    }

    /// GET and decode.
    public func get<T: Decodable>(_ path: String, query: [(String, String)] = [], as type: T.Type) async throws(ClientFailure) -> T {
        try await send("GET", path, query: query).decode(type)
    }

    /// Every page of a list (up to `max` items), following `nextCursor`: the typed items, and the
    /// same items as one `{"items":[…]}` document built from the gateway's own JSON.
    public func listAll<Item: Decodable & Sendable>(
        _ path: String, query: [(String, String)] = [], max: Int? = nil, as type: Item.Type
    ) async throws(ClientFailure) -> (items: [Item], json: [UInt8]) {
        var items: [Item] = []
        var raw: [Any] = []
        var cursor: String?
        repeat {
            var pageQuery = query
            pageQuery.append(("limit", String(Swift.min(200, max.map { $0 - items.count } ?? 200))))
            if let cursor { pageQuery.append(("cursor", cursor)) }
            let reply = try await send("GET", path, query: pageQuery)
            let page = try reply.decode(ItemsPage<Item>.self)
            let object = (try? JSONSerialization.jsonObject(with: Data(reply.body))) as? [String: Any]
            items += page.items
            raw += object?["items"] as? [Any] ?? []
            cursor = page.nextCursor
        } while cursor != nil && (max.map { items.count < $0 } ?? true)
        let json = (try? JSONSerialization.data(withJSONObject: ["items": raw], options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return (items, Array(json))
    }

    /// One path segment, percent-encoded (ids are opaque and may hold any character).
    public static func segment(_ text: String) -> String {
        PercentEncoding.encode(text)
    }
}

/// The part of a list answer the client reads.
private struct ItemsPage<Item: Decodable>: Decodable {
    var items: [Item]
    var nextCursor: String?
}
