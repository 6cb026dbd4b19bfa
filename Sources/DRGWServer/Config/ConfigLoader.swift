import DRGWCore
import DRGWStore
import Foundation
import Yams

/// Reads `GatewayConfig` from YAML text plus the environment. Every error names the key.
public struct ConfigLoader: Sendable {
    /// Process environment (injected for tests).
    public var environment: [String: String]
    /// Known provider plugins, to validate `accounts[].provider`.
    public var plugins: [any ProviderPlugin.Type]

    public init(environment: [String: String], plugins: [any ProviderPlugin.Type]) {
        self.environment = environment
        self.plugins = plugins
    }

    /// Loads a file; a missing or unreadable file is a configuration error.
    public func load(path: String) throws -> GatewayConfig {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(key: "config", "cannot read the configuration file \(path)")
        }
        return try load(yaml: text)
    }

    public func load(yaml: String) throws -> GatewayConfig {
        let root: Any?
        do {
            root = try Yams.load(yaml: yaml)
        } catch {
            throw ConfigError(key: "config", "the file is not valid YAML")
        }
        let tracker = KeyTracker()
        let top = try Node(root ?? [String: Any](), key: "", tracker: tracker).map()
        var config = GatewayConfig()
        if let server = try top.optionalMap("server") {
            if let host = try server.optionalString("host") { config.server.host = host }
            if let port = try server.optionalInt("port") { config.server.port = port }
            if let max = try server.optionalInt("maxBodyBytes") { config.server.maxBodyBytes = max }
            if let drain = try server.optionalDouble("drainSeconds") { config.server.drainSeconds = drain }
            if let url = try server.optionalString("publicURL") {
                guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil, parsed.query == nil,
                    !url.contains("\""), !url.contains("\\")
                else { throw ConfigError(key: "server.publicURL", "must be an http:// or https:// URL without a query") }
                config.server.publicURL = url
            }
        }
        if let store = try top.optionalMap("store"), let url = try store.optionalString("url") { config.store.url = url }
        if let idem = try top.optionalMap("idempotency") {
            if let hours = try idem.optionalDouble("retentionHours") { config.idempotency.retentionHours = hours }
            if let lease = try idem.optionalDouble("leaseSeconds") { config.idempotency.leaseSeconds = lease }
        }
        if let operations = try top.optionalMap("operations") {
            if let lease = try operations.optionalDouble("leaseSeconds") { config.operations.leaseSeconds = lease }
            if let polls = try operations.optionalInt("maxConcurrentPolls") { config.operations.maxConcurrentPolls = polls }
            if let scan = try operations.optionalDouble("scanSeconds") { config.operations.scanSeconds = scan }
            if let age = try operations.optionalDouble("maxAgeSeconds") { config.operations.maxAgeSeconds = age }
            if let days = try operations.optionalDouble("retentionDays") { config.operations.retentionDays = days }
            if let byKind = try operations.optionalMap("maxAgeSecondsByKind") {
                for kind in byKind.values.keys.sorted() {
                    guard GatewayOperation.kinds.contains(kind) else {
                        throw ConfigError(key: byKind.path(kind), "is not an operation kind (known: \(GatewayOperation.kinds.joined(separator: ", ")))")
                    }
                    config.operations.maxAgeSecondsByKind[kind] = try byKind.optionalDouble(kind)
                }
            }
        }
        if let rate = try top.optionalMap("rateLimit") {
            if let rps = try rate.optionalDouble("requestsPerSecond") { config.rateLimit.requestsPerSecond = rps }
            if let burst = try rate.optionalDouble("burst") { config.rateLimit.burst = burst }
            if let rps = try rate.optionalDouble("failedAuthPerSecond") { config.rateLimit.failedAuthPerSecond = rps }
            if let burst = try rate.optionalDouble("failedAuthBurst") { config.rateLimit.failedAuthBurst = burst }
        }
        if let upstream = try top.optionalMap("upstream"), let max = try upstream.optionalInt("maxConnectionsPerHost") {
            config.upstream.maxConnectionsPerHost = max
        }
        if let evidence = try top.optionalMap("evidence") { try readEvidence(evidence, into: &config.evidence) }
        if let diagnostics = try top.optionalMap("diagnostics"), let file = try diagnostics.optionalString("stageTimingFile") {
            config.diagnostics.stageTimingFile = file
        }
        if let logging = try top.optionalMap("logging"), let level = try logging.optionalString("level") {
            config.logLevel = level
        }
        for (i, node) in try top.optionalList("tenants").enumerated() {
            let map = try node.map()
            config.tenants.append(
                GatewayConfig.Tenant(
                    name: try map.string("name"),
                    apiKeySha256: try map.optionalList("apiKeySha256").map { try $0.string().lowercased() },
                    accounts: try map.optionalList("accounts").map { try $0.string() }
                )
            )
            _ = i
        }
        for node in try top.optionalList("accounts") {
            let map = try node.map()
            let settings = try account(map)
            config.accounts.append(settings)
            if let breaker = try breaker(map) { config.breakers[settings.id] = breaker }
        }
        if let first = tracker.unknown.first {
            let all = tracker.unknown
            let more = all.count > 1 ? " (unknown keys: \(all.joined(separator: ", ")))" : ""
            throw ConfigError(key: first, "is not a setting drgw knows; check its spelling and place\(more)")
        }
        try applyEnvironment(&config)
        try validate(config)
        return config
    }

    func account(_ map: Node.Map) throws -> AccountSettings {
        let id = try map.string("id")
        let provider = try map.string("provider")
        guard let plugin = plugins.first(where: { $0.name == provider }) else {
            let names = plugins.map { $0.name }.joined(separator: ", ")
            throw ConfigError(key: map.path("provider"), "unknown provider '\(provider)' (known: \(names))")
        }
        let region = try map.optionalString("region") ?? plugin.defaultRegion
        var limits = UpstreamLimits()
        if let timeouts = try map.optionalMap("timeouts") {
            if let c = try timeouts.optionalDouble("connectSeconds") { limits.connectTimeout = c }
            if let r = try timeouts.optionalDouble("requestSeconds") { limits.requestTimeout = r }
        }
        if let retry = try map.optionalMap("retry") {
            if let a = try retry.optionalInt("maxAttempts") { limits.maxAttempts = max(1, a) }
            if let b = try retry.optionalDouble("budgetSeconds") { limits.retryBudgetSeconds = b }
            if let b = try retry.optionalDouble("baseBackoffSeconds") { limits.baseBackoff = b }
        }
        var credentials = Credentials()
        if let creds = try map.optionalMap("credentials") {
            credentials.accessKey = try secret(creds, "accessKey")
            credentials.secretKey = try secret(creds, "secretKey")
            credentials.securityToken = try secret(creds, "securityToken")
            credentials.authToken = try secret(creds, "authToken")
        }
        var options: [String: String] = [:]
        for key in plugin.accountKeys {
            if let value = try map.optionalString(key) { options[key] = value }
        }
        var settings = AccountSettings(
            id: id, provider: provider, region: region, endpoint: try map.optionalString("endpoint"), options: options,
            credentials: credentials, limits: limits
        )
        if let seconds = try map.optionalDouble("groupCheckSeconds") {
            guard (0...300).contains(seconds) else {
                throw ConfigError(key: map.path("groupCheckSeconds"), "must be between 0 and 300")
            }
            settings.groupCheckSeconds = seconds
        }
        if let endpoint = settings.endpoint {
            guard let url = URL(string: endpoint), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil,
                url.query == nil
            else {
                throw ConfigError(key: map.path("endpoint"), "must be an http(s) URL without a query")
            }
        }
        if let problem = plugin.validate(account: settings).first {
            throw ConfigError(key: map.path(problem.key), problem.reason)
        }
        return settings
    }

    /// Reads an account's optional `breaker: { failureThreshold, openSeconds }`.
    func breaker(_ map: Node.Map) throws -> BreakerSettings? {
        guard let node = try map.optionalMap("breaker") else { return nil }
        var settings = BreakerSettings()
        if let threshold = try node.optionalInt("failureThreshold") {
            guard threshold >= 1 else { throw ConfigError(key: node.path("failureThreshold"), "must be at least 1") }
            settings.failureThreshold = threshold
        }
        if let seconds = try node.optionalDouble("openSeconds") {
            guard seconds > 0, seconds <= 3600 else { throw ConfigError(key: node.path("openSeconds"), "must be above 0 and at most 3600") }
            settings.openSeconds = seconds
        }
        return settings
    }

    /// Reads `<name>Env` (an environment variable) or `<name>File` (a file that is not world-readable).
    func secret(_ map: Node.Map, _ name: String) throws -> String? {
        let fromVariable = try map.optionalString(name + "Env")
        let fromFile = try map.optionalString(name + "File")
        if fromVariable != nil, fromFile != nil {
            throw ConfigError(key: map.path(name + "File"), "set either \(name)Env or \(name)File, not both")
        }
        if let variable = fromVariable {
            guard let value = environment[variable], !value.isEmpty else {
                throw ConfigError(key: map.path(name + "Env"), "environment variable \(variable) is not set")
            }
            return value
        }
        if let file = fromFile {
            let key = map.path(name + "File")
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: file),
                let data = FileManager.default.contents(atPath: file)
            else {
                throw ConfigError(key: key, "cannot read secret file \(file)")
            }
            if let mode = attributes[.posixPermissions] as? Int, mode & 0o004 != 0 {
                throw ConfigError(key: key, "secret file \(file) is world-readable; chmod o-r it")
            }
            let value = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else { throw ConfigError(key: key, "secret file \(file) is empty") }
            return value
        }
        return nil
    }

    func applyEnvironment(_ config: inout GatewayConfig) throws {
        if let host = environment["DRGW_HOST"], !host.isEmpty { config.server.host = host }
        if let port = environment["DRGW_PORT"], !port.isEmpty {
            guard let value = Int(port) else { throw ConfigError(key: "DRGW_PORT", "must be a number") }
            config.server.port = value
        }
        if let url = environment["DRGW_STORE_URL"], !url.isEmpty { config.store.url = url }
        if let level = environment["DRGW_LOG_LEVEL"], !level.isEmpty { config.logLevel = level }
        if let file = environment["DRGW_STAGE_TIMING_FILE"], !file.isEmpty { config.diagnostics.stageTimingFile = file }
    }

    /// Cross-field checks.
    public func validate(_ config: GatewayConfig) throws {
        guard (0...65535).contains(config.server.port) else { throw ConfigError(key: "server.port", "must be 0 to 65535") }
        guard config.server.maxBodyBytes > 0 else { throw ConfigError(key: "server.maxBodyBytes", "must be positive") }
        do {
            _ = try StoreLocation.parse(config.store.url)
        } catch {
            throw ConfigError(key: "store.url", error.message)
        }
        guard config.operations.leaseSeconds >= 1, config.operations.leaseSeconds <= 3600 else {
            throw ConfigError(key: "operations.leaseSeconds", "must be 1 to 3600")
        }
        guard (1...4096).contains(config.operations.maxConcurrentPolls) else {
            throw ConfigError(key: "operations.maxConcurrentPolls", "must be 1 to 4096")
        }
        guard config.operations.scanSeconds > 0, config.operations.scanSeconds <= 60 else {
            throw ConfigError(key: "operations.scanSeconds", "must be above 0 and at most 60")
        }
        for (key, value) in [("maxAgeSeconds", config.operations.maxAgeSeconds)]
            + config.operations.maxAgeSecondsByKind.sorted(by: { $0.key < $1.key }).map({ ("maxAgeSecondsByKind.\($0.key)", $0.value) })
        where !(1...2_592_000).contains(value) {
            throw ConfigError(key: "operations.\(key)", "must be 1 to 2592000 (30 days)")
        }
        guard (1...10_000).contains(config.upstream.maxConnectionsPerHost) else {
            throw ConfigError(key: "upstream.maxConnectionsPerHost", "must be 1 to 10000")
        }
        guard config.operations.retentionDays > 0, config.operations.retentionDays <= 3650 else {
            throw ConfigError(key: "operations.retentionDays", "must be above 0 and at most 3650")
        }
        guard config.idempotency.retentionHours > 0 else {
            throw ConfigError(key: "idempotency.retentionHours", "must be positive")
        }
        let ids = config.accounts.map(\.id)
        for (i, id) in ids.enumerated() where ids.firstIndex(of: id) != i {
            throw ConfigError(key: "accounts[\(i)].id", "duplicate account id '\(id)'")
        }
        for (i, tenant) in config.tenants.enumerated() {
            for (j, hash) in tenant.apiKeySha256.enumerated()
            where hash.count != 64 || !hash.allSatisfy({ $0.isHexDigit }) {
                throw ConfigError(key: "tenants[\(i)].apiKeySha256[\(j)]", "must be 64 hex characters")
            }
            for (j, account) in tenant.accounts.enumerated() where !ids.contains(account) {
                throw ConfigError(key: "tenants[\(i)].accounts[\(j)]", "unknown account '\(account)'")
            }
        }
    }
}
