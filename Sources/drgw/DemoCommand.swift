import ArgumentParser
import DRGWCore
import DRGWServer
import DRGWTransport
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// `drgw demo`: gateway + both simulators in one process, seeded, with a demo key.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the gateway with every provider's simulator, one demo account each, and SQLite in a temp dir."
    )

    @Option(name: .long, help: "Gateway port (0 picks a free one).")
    var port: Int = 8080

    @Option(name: .long, help: "Use this bearer key instead of a random one.")
    var apiKey: String?

    @Option(name: .long, help: "Seconds a simulated upstream job takes.")
    var jobSeconds: Double = 2

    @Flag(name: .long, help: "Run one drill round trip per account through the gateway, print it, and exit.")
    var roundTrip = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        if let apiKey, apiKey.count < 16 { throw ValidationError("--api-key must be at least 16 characters") }
    }

    func run() async throws {
        let logger = LogSetup.bootstrap(level: ProcessInfo.processInfo.environment["DRGW_LOG_LEVEL"] ?? (roundTrip ? "warning" : "info"))
        let key = apiKey ?? (0..<24).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("drgw-demo-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        let demo = DemoSetup(key: key, jobSeconds: jobSeconds)
        let ports = PortBox(count: demo.simulators.count + 1)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        for (index, simulator) in demo.simulators.enumerated() {
            services.append(.init(service: SimulatorService(simulator: simulator.instance) { await ports.set(index, $0) }))
        }
        let gatewayIndex = demo.simulators.count
        let gatewayPort = port
        let gateway = DemoGatewayService(logger: logger) {
            let simulatorPorts = await ports.values(upTo: gatewayIndex)
            return demo.config(simulatorPorts: simulatorPorts, gatewayPort: gatewayPort, database: directory.appendingPathComponent("drgw.sqlite").path)
        } onReady: { port in
            await ports.set(gatewayIndex, port)
        }
        services.append(.init(service: gateway))
        let printer = DemoPrinter(demo: demo, ports: ports, gatewayIndex: gatewayIndex, roundTrip: roundTrip)
        services.append(.init(service: printer, successTerminationBehavior: roundTrip ? .gracefullyShutdownGroup : .ignore))
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await group.run()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Bound ports, filled in as services come up.
final class PortBox: Sendable {
    private let state: Mutex<(ports: [Int?], waiters: [CheckedContinuation<Void, Never>])>

    init(count: Int) {
        state = Mutex((Array(repeating: nil, count: count), []))
    }

    func set(_ index: Int, _ port: Int) async {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.ports[index] = port
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until ports 0..<count are known.
    func values(upTo count: Int) async -> [Int] {
        while true {
            let ready: [Int]? = state.withLock { state in
                let slice = state.ports[0..<count]
                return slice.allSatisfy { $0 != nil } ? slice.map { $0! } : nil
            }
            if let ready { return ready }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.ports[0..<count].allSatisfy({ $0 != nil }) { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }
}

/// Builds the gateway once the simulators' ports are known, then runs it.
struct DemoGatewayService: Service {
    let logger: Logger
    let makeConfig: @Sendable () async -> GatewayConfig
    let onReady: @Sendable (Int) async -> Void

    func run() async throws {
        let config = await makeConfig()
        try await GatewayRunner(config: config, logger: logger, onReady: onReady, signals: []).run()
    }
}
