import ArgumentParser
import DRGWServer
import DRGWStore
import DRGWTransport
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// `drgw serve`: the gateway.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the gateway.")

    @Option(name: .long, help: "Configuration file (YAML). Environment: DRGW_CONFIG, or the YAML itself in DRGW_CONFIG_YAML.")
    var config: String?

    @Option(name: .long, help: "Listen address (overrides DRGW_HOST and the file).")
    var host: String?

    @Option(name: .long, help: "Listen port (overrides DRGW_PORT and the file).")
    var port: Int?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let loader = ConfigLoader(environment: environment, plugins: ProviderCatalog.plugins)
        var gateway: GatewayConfig
        do {
            if let path = config, !path.isEmpty {
                gateway = try loader.load(path: path)
            } else if let yaml = environment["DRGW_CONFIG_YAML"], !yaml.isEmpty {
                // For containers: the whole file in one environment variable.
                gateway = try loader.load(yaml: yaml)
            } else if let path = environment["DRGW_CONFIG"], !path.isEmpty {
                gateway = try loader.load(path: path)
            } else {
                throw ValidationError("--config FILE (or DRGW_CONFIG, or DRGW_CONFIG_YAML) is required")
            }
        } catch let error as ConfigError {
            throw failConfiguration(error)
        }
        if let host { gateway.server.host = host }
        if let port {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
            gateway.server.port = port
        }
        let logger = LogSetup.bootstrap(level: gateway.logLevel)
        let host = gateway.server.host
        // The bound port (the one the system chose for `--port 0`) on stderr and in the log.
        let announce: @Sendable (Int) async -> Void = { port in
            let address = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
            FileHandle.standardError.write(Data("drgw serve: listening on \(address)\n".utf8))
            logger.info("drgw listening", metadata: ["address": .string(address)])
        }
        try await GatewayRunner(config: gateway, logger: logger, onReady: announce).run()
    }
}

/// Opens the store, builds the app and runs it with the transport as services until SIGTERM/SIGINT.
struct GatewayRunner {
    var config: GatewayConfig
    var logger: Logger
    var extraServices: [any Service] = []
    var onReady: (@Sendable (Int) async -> Void)?
    var signals: [UnixSignal] = [.sigterm, .sigint]

    func run() async throws {
        let store: any GatewayStore
        do {
            store = try await openStore(config, logger: logger)
        } catch let error as ConfigError {
            throw failConfiguration(error)
        }
        let transport = CurlTransport(userAgent: "drgw/0.1.0", maxConnectionsPerHost: config.upstream.maxConnectionsPerHost)
        let app: any ApplicationProtocol
        var deps = GatewayDependencies(config: config, plugins: ProviderCatalog.plugins, transport: transport, store: store, logger: logger)
        deps.stages = config.diagnostics.stageTimingFile.map { _ in StageTimings() }
        do {
            app = try buildApplication(deps, onServerRunning: onReady)
        } catch let error as ConfigError {
            throw failConfiguration(error)
        }
        // A graceful stop ends services in reverse order: the app first (it stops accepting and
        // drains the requests in flight, whose upstream calls need the transport), the transport last.
        var configuration = ServiceGroupConfiguration(
            services: [transport, TransportStatsExporter(transport: transport)] + extraServices + [app],
            gracefulShutdownSignals: signals,
            logger: logger
        )
        // A stop always ends: requests get `drainSeconds`, then whatever still runs is cancelled.
        configuration.maximumGracefulShutdownDuration = .milliseconds(Int64((config.server.drainSeconds + 5) * 1000))
        let group = ServiceGroup(configuration: configuration)
        let watchdog = ShutdownWatchdog(signals: signals, seconds: config.server.drainSeconds + 15)
        defer { watchdog.cancel() }
        try await group.run()
        await store.close()
        if let stages = deps.stages, let file = config.diagnostics.stageTimingFile {
            do {
                try stages.write(to: file)
            } catch {
                logger.error("cannot write the stage timings", metadata: ["file": .string(file)])
            }
        }
        // Written by the log sink's exit flush: the last line of a graceful stop.
        logger.info("drgw stopped")
    }
}

/// The last resort of a stop: when a component still holds the process this long after
/// SIGTERM/SIGINT (past the service group's own bound), the process exits anyway, so that a stuck
/// database client or upstream call can never keep a replica from being replaced.
final class ShutdownWatchdog {
    private let sources: [any DispatchSourceSignal]

    init(signals: [UnixSignal], seconds: Double) {
        let numbers = signals.compactMap { signal -> Int32? in
            switch signal {
            case .sigterm: return SIGTERM
            case .sigint: return SIGINT
            default: return nil
            }
        }
        sources = numbers.map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                    FileHandle.standardError.write(Data("drgw: shutdown did not finish \(Int(seconds)) s after the signal; exiting\n".utf8))
                    exit(0)
                }
            }
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
