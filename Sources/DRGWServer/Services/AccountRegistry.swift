import DRGWCore
import Foundation
import Logging

/// The configured accounts with their adapters, built once at startup.
public struct AccountRegistry: Sendable {
    public struct Entry: Sendable {
        public var settings: AccountSettings
        public var provider: any Provider
    }

    let entries: [String: Entry]
    let order: [String]

    /// Builds every account's adapter over its own metered, circuit-broken view of `transport`.
    public init(
        accounts: [AccountSettings], plugins: [any ProviderPlugin.Type], transport: any HTTPTransport,
        breakers: [String: BreakerSettings] = [:], logger: Logger = Logger(label: "drgw")
    ) throws {
        var entries: [String: Entry] = [:]
        for (i, account) in accounts.enumerated() {
            guard let plugin = plugins.first(where: { $0.name == account.provider }) else {
                throw ConfigError(key: "accounts[\(i)].provider", "unknown provider '\(account.provider)'")
            }
            do {
                let guarded = CircuitBreakerTransport(
                    base: transport, account: account.id, provider: account.provider,
                    settings: breakers[account.id] ?? BreakerSettings(), logger: logger)
                let metered = MeteredTransport(base: guarded, provider: account.provider, account: account.id)
                let provider = try plugin.makeProvider(account: account, transport: metered)
                entries[account.id] = Entry(settings: account, provider: provider)
            } catch {
                throw ConfigError(key: "accounts[\(i)]", "the \(account.provider) adapter refused this account")
            }
        }
        self.entries = entries
        self.order = accounts.map(\.id)
    }

    /// The account for a tenant: 404 when it does not exist, 403 when the tenant may not use it.
    func entry(_ id: String, for tenant: GatewayConfig.Tenant) throws -> Entry {
        guard let entry = entries[id] else { throw Problem.notFound("Account '\(id)'") }
        guard tenant.accounts.contains(id) else {
            throw Problem(.forbidden, detail: "This key may not use account '\(id)'.")
        }
        return entry
    }

    /// The entry by id, whoever asks (the poller).
    func entry(_ id: String) -> Entry? { entries[id] }

    /// The tenant's accounts, in configuration order.
    func accounts(for tenant: GatewayConfig.Tenant) -> [Entry] {
        order.filter { tenant.accounts.contains($0) }.compactMap { entries[$0] }
    }
}
