import DRGWCore
import DRGWStore
import DRGWTransport
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Synchronization

/// Everything the gateway needs, wired once.
public struct GatewayDependencies: Sendable {
    public var config: GatewayConfig
    public var plugins: [any ProviderPlugin.Type]
    public var transport: any HTTPTransport
    public var store: any GatewayStore
    public var logger: Logger
    /// The time source of the write path (operation timestamps, idempotency leases).
    public var clock: @Sendable () -> Date = { Date() }
    /// The stage-timing diagnostic (`diagnostics.stageTimingFile`), when on.
    public var stages: StageTimings?

    public init(config: GatewayConfig, plugins: [any ProviderPlugin.Type], transport: any HTTPTransport, store: any GatewayStore, logger: Logger) {
        self.config = config
        self.plugins = plugins
        self.transport = transport
        self.store = store
        self.logger = logger
    }
}

/// The process-wide Prometheus registry (swift-metrics can be bootstrapped once per process).
public enum GatewayMetrics {
    public static let registry = PrometheusCollectorRegistry()
    private static let bootstrapped = Mutex(false)

    public static func bootstrap() {
        bootstrapped.withLock { done in
            guard !done else { return }
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.defaultDurationHistogramBuckets = [
                .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
            ]
            MetricsSystem.bootstrap(factory)
            done = true
        }
    }
}

/// Opens the store named by `store.url` (`DRGW_STORE_URL`); a PostgreSQL password may come from
/// `PGPASSWORD`. A PostgreSQL store is retried for `startupSeconds` while unreachable.
public func openStore(
    _ config: GatewayConfig, environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger,
    startupSeconds: Double = 30
) async throws -> any GatewayStore {
    let location: StoreLocation
    do {
        location = try StoreLocation.parse(config.store.url, passwordFromEnvironment: environment["PGPASSWORD"])
    } catch {
        throw ConfigError(key: "store.url", error.message)
    }
    switch location {
    case .sqlite(let path):
        do {
            return try await SQLiteStore.open(path: path, logger: logger)
        } catch {
            throw ConfigError(key: "store.url", "cannot open the SQLite database at \(path)")
        }
    case .postgres(let settings):
        do {
            return try await PostgresStore.open(settings, logger: logger, startupSeconds: startupSeconds)
        } catch let error as StoreUnavailable {
            throw ConfigError(key: "store.url", "cannot reach the PostgreSQL database \(settings): \(error.reason)")
        } catch {
            throw ConfigError(key: "store.url", "cannot use the PostgreSQL database \(settings): \(PostgresStore.describe(error))")
        }
    }
}

/// Builds the gateway application: router, middleware, controllers and background services.
public func buildApplication(
    _ deps: GatewayDependencies, onServerRunning: (@Sendable (Int) async -> Void)? = nil
) throws -> some ApplicationProtocol {
    GatewayMetrics.bootstrap()
    let config = deps.config
    let registry = try AccountRegistry(
        accounts: config.accounts, plugins: deps.plugins, transport: deps.transport, breakers: config.breakers,
        logger: deps.logger)
    Redactor.shared.register(config.accounts.flatMap(\.credentials.secretValues))
    let waiters = OperationWaiters(sharedStore: deps.store.isShared)
    let background = BackgroundWork()
    var writes = WriteCoordinator(
        idempotency: deps.store, operations: deps.store, waiters: waiters,
        leaseSeconds: config.idempotency.leaseSeconds, logger: deps.logger
    )
    writes.background = background
    writes.clock = deps.clock
    let router = Router(context: GatewayRequestContext.self)
    router.add(middleware: EdgeMiddleware(maxBodyBytes: config.server.maxBodyBytes, stages: deps.stages))
    SystemController(operations: deps.store, registry: GatewayMetrics.registry, openAPI: OpenAPIDocument.bytes(publicURL: config.server.publicURL))
        .addRoutes(to: router)
    let v1 = router.group("v1")
        .add(
            middleware: AuthMiddleware(
                tenants: config.tenants,
                limiter: RateLimiter(rate: config.rateLimit.requestsPerSecond, burst: config.rateLimit.burst),
                failures: RateLimiter(
                    rate: config.rateLimit.failedAuthPerSecond, burst: config.rateLimit.failedAuthBurst, policy: "failed-auth")))
    AccountsController(registry: registry).addRoutes(to: v1)
    ProtectionGroupsController(registry: registry, writes: writes).addRoutes(to: v1)
    let evidence = EvidenceServices(store: deps.store, registry: registry, writes: writes, config: config, logger: deps.logger)
    DrillsController(registry: registry, writes: writes, recorder: evidence.recorder, reports: deps.store).addRoutes(to: v1)
    evidence.addRoutes(to: v1)
    OperationsController(registry: registry, operations: deps.store, waiters: waiters).addRoutes(to: v1)
    MethodGuard.addRoutes(to: router)

    var poller = OperationPoller(
        store: deps.store, registry: registry, waiters: waiters, logger: deps.logger, settings: config.operations)
    poller.observer = evidence.recorder
    let purger = RetentionPurger(
        store: deps.store, idempotencyRetentionSeconds: config.idempotency.retentionHours * 3600,
        operationRetentionSeconds: config.operations.retentionDays * 86400, logger: deps.logger)
    return Application(
        router: router,
        server: .pinnedHTTP1(logger: deps.logger, stages: deps.stages),
        configuration: .init(address: .hostname(config.server.host, port: config.server.port), serverName: "drgw"),
        services: [poller, purger, BackgroundWorkService(work: background)] + evidence.services,
        onServerRunning: { channel in await onServerRunning?(channel.localAddress?.port ?? 0) },
        logger: deps.logger
    )
}
