import DRGWCore
import DRGWServer
import DRGWStore
import DRGWTransport
import Foundation
import Hummingbird
import Logging

/// A gateway built from a whole `GatewayConfig` and a chosen logger, on a real 127.0.0.1
/// socket, driven by a `CurlTransport` client that sees every byte a caller sees.
struct SecurityGateway: Sendable {
    let port: Int
    let client: CurlTransport

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// One call; `key` becomes `Authorization: Bearer <key>`.
    func send(
        _ method: String, _ path: String, key: String?, json: String? = nil, headers extra: [(name: String, value: String)] = []
    ) async throws -> UpstreamResponse {
        var headers: [(name: String, value: String)] = []
        if let key { headers.append(("Authorization", "Bearer \(key)")) }
        if json != nil { headers.append(("Content-Type", "application/json")) }
        headers += extra
        return try await client.send(
            UpstreamRequest(method: method, url: baseURL + path, headers: headers, body: Array((json ?? "").utf8), timeout: 30))
    }

    /// Runs a gateway for `config` (port and store are forced to 0 and memory), runs `body`, stops it.
    static func with<T: Sendable>(
        config: GatewayConfig, plugins: [any ProviderPlugin.Type], logger: Logger,
        _ body: @Sendable (SecurityGateway) async throws -> T
    ) async throws -> T {
        try await runGateway(config: config, plugins: plugins, logger: logger) { port, client in
            try await body(SecurityGateway(port: port, client: client))
        }
    }
}

extension UpstreamResponse {
    /// Status line, every header and the body as one text, to search for leaks.
    var wireText: String {
        "\(status)\n" + headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n") + "\n\n" + String(decoding: body, as: UTF8.self)
    }
}
