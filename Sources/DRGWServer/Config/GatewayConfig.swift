import DRGWCore
import Foundation

/// The gateway's configuration, read once at the edge from the YAML file,
/// the environment and flags, in that order of precedence (flags win).
public struct GatewayConfig: Sendable {
    /// Where the HTTP front listens.
    public struct Server: Sendable {
        public var host: String = "127.0.0.1"
        public var port: Int = 8080
        /// Largest accepted request body.
        public var maxBodyBytes: Int = 64 * 1024
        /// Seconds to drain in-flight requests on SIGTERM.
        public var drainSeconds: Double = 10
        /// The absolute URL clients reach the gateway at, for `servers` in `/openapi.json`; by
        /// default the document names the origin it is fetched from (a relative `/`).
        public var publicURL: String?
        public init() {}
    }

    /// Durable store.
    public struct Store: Sendable {
        /// `sqlite:///path` (one process) or `postgres://user@host:port/db?sslmode=…` (replicas).
        public var url: String = "sqlite:///var/lib/drgw/drgw.sqlite"
        public init() {}
    }

    /// How running operations are followed.
    public struct Operations: Sendable {
        /// Seconds a replica holds a claimed poll; another replica takes the operation over
        /// after this when the first one died mid-poll. Longer than an upstream call can take.
        public var leaseSeconds: Double = 60
        /// Upstream polls one replica runs at a time.
        public var maxConcurrentPolls: Int = 256
        /// Seconds between scans of the store when nothing else wakes the poller.
        public var scanSeconds: Double = 0.1
        /// An operation fails with `upstream_timeout` once its job could not be read for this long
        /// (polls failing since the last answered one, or since the start). A job the cloud still
        /// reports as running is followed for as long as it runs.
        public var maxAgeSeconds: Double = 3600
        /// `maxAgeSeconds` for particular kinds (e.g. `protectionGroup.failover: 21600`).
        public var maxAgeSecondsByKind: [String: Double] = [:]
        /// Days an ended operation stays readable (`GET /v1/operations/{id}`) before it is
        /// deleted. Drill reports keep their operation ids and are not deleted with them.
        public var retentionDays: Double = 30
        public init() {}

        /// The limit for operations of `kind`.
        public func maxAge(kind: String) -> Double { maxAgeSecondsByKind[kind] ?? maxAgeSeconds }
    }

    /// Idempotency-Key records.
    public struct Idempotency: Sendable {
        public var retentionHours: Double = 24
        /// Seconds a started request holds its key before a replay may take it over.
        public var leaseSeconds: Double = 60
        public init() {}
    }

    /// The shared upstream HTTP client.
    public struct Upstream: Sendable {
        /// Simultaneous connections to one upstream host; transfers beyond it wait for a free one.
        /// Foreground calls and the operation poller (up to 32 polls at a time) share them.
        public var maxConnectionsPerHost: Int = 128
        public init() {}
    }

    /// Per-tenant token bucket.
    public struct RateLimit: Sendable {
        public var requestsPerSecond: Double = 50
        public var burst: Double = 100
        /// Failed authentications allowed per client address (401s); past them, 429.
        public var failedAuthPerSecond: Double = 5
        public var failedAuthBurst: Double = 20
        public init() {}
    }

    /// One caller of the gateway.
    public struct Tenant: Sendable {
        public var name: String
        /// Lowercase hex SHA-256 of each accepted bearer key.
        public var apiKeySha256: [String]
        public var accounts: [String]
        public init(name: String, apiKeySha256: [String], accounts: [String]) {
            self.name = name
            self.apiKeySha256 = apiKeySha256
            self.accounts = accounts
        }
    }

    /// Drill evidence: the cleanup sweeper and the scheduler.
    public struct Evidence: Sendable {
        /// Seconds between two passes of the cleanup sweeper.
        public var sweepSeconds: Double = 10
        /// Seconds after a delete reported success before the sweeper reads upstream to verify it.
        public var verifyAfterSeconds: Double = 30
        /// Deletes the sweeper tries for one drill before it only keeps watching the leftover.
        public var maxDeleteAttempts: Int = 5
        /// Seconds between two looks of the scheduler at due schedules.
        public var scheduleTickSeconds: Double = 1
        public init() {}
    }

    /// Diagnostics that cost time per request; all off by default.
    public struct Diagnostics: Sendable {
        /// When set, every request's time between stages (parser, handler, transport, curl,
        /// socket write) is measured and a summary is written to this file when the gateway stops.
        public var stageTimingFile: String?
        public init() {}
    }

    public var server = Server()
    public var store = Store()
    public var diagnostics = Diagnostics()
    public var idempotency = Idempotency()
    public var operations = Operations()
    public var rateLimit = RateLimit()
    public var upstream = Upstream()
    public var evidence = Evidence()
    public var logLevel: String = "info"
    public var tenants: [Tenant] = []
    public var accounts: [AccountSettings] = []
    /// Circuit-breaker settings by account id (`accounts[].breaker`); an account without an
    /// entry uses `BreakerSettings()`.
    public var breakers: [String: BreakerSettings] = [:]

    public init() {}
}
