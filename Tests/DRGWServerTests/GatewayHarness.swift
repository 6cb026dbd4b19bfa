import DRGWCore
import DRGWServer
import DRGWStore
import DRGWTesting
import DRGWTransport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging

/// Builds a gateway on fake providers with two tenants, each with its own key and account.
struct GatewayHarness {
    let keyA = "key-a-" + UUID().uuidString
    let keyB = "key-b-" + UUID().uuidString
    let accountA = "acct-a-" + UUID().uuidString.prefix(8).lowercased()
    let accountB = "acct-b-" + UUID().uuidString.prefix(8).lowercased()
    var manualJobs = false
    /// The gateway's write-path clock.
    var clock: @Sendable () -> Date = { Date() }

    var config: GatewayConfig {
        var config = GatewayConfig()
        config.server.port = 0
        config.store.url = "sqlite::memory:"
        config.rateLimit.requestsPerSecond = 10_000
        config.rateLimit.burst = 10_000
        config.rateLimit.failedAuthPerSecond = 10_000
        config.rateLimit.failedAuthBurst = 10_000
        config.accounts = [
            AccountSettings(id: accountA, provider: "fake", region: manualJobs ? "manual" : "local-1", credentials: Credentials()),
            AccountSettings(id: accountB, provider: "fake", region: "local-1", credentials: Credentials()),
        ]
        config.tenants = [
            GatewayConfig.Tenant(name: "tenant-a", apiKeySha256: [Digest.sha256Hex(keyA)], accounts: [accountA]),
            GatewayConfig.Tenant(name: "tenant-b", apiKeySha256: [Digest.sha256Hex(keyB)], accounts: [accountB]),
        ]
        return config
    }

    /// Tenant A's fake provider (made on first use, shared with the gateway).
    var providerA: FakeProvider {
        // swiftlint:disable:next force_cast
        try! FakePlugin.makeProvider(account: config.accounts[0], transport: NoTransport()) as! FakeProvider
    }

    func run(_ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let store = try await SQLiteStore.inMemory()
        let transport = CurlTransport()
        defer { transport.shutdown() }
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let built: Result<any ApplicationProtocol, any Error> = Result {
            var deps = GatewayDependencies(config: config, plugins: [FakePlugin.self], transport: transport, store: store, logger: logger)
            deps.clock = clock
            return try buildApplication(deps)
        }
        guard case .success(let app) = built else {
            await store.close()
            _ = try built.get()
            return
        }
        do {
            try await app.test(.live) { client in try await test(client) }
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    func headers(key: String?, json: Bool = false, extra: [String: String] = [:]) -> HTTPFields {
        var fields = HTTPFields()
        if let key { fields[.authorization] = "Bearer \(key)" }
        if json { fields[.contentType] = "application/json" }
        for (name, value) in extra { fields[HTTPField.Name(name)!] = value }
        return fields
    }
}

extension TestResponse {
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }
}

extension ByteBuffer {
    init(json: String) { self.init(string: json) }
}

/// A transport that must not be used (fake providers make no HTTP calls).
struct NoTransport: HTTPTransport {
    func send(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        throw TransportError(.other, detail: "no transport in this test")
    }
}
