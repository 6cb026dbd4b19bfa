import DRGWCore
import DRGWTesting
import DRGWTransport
import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// A real `drgw serve` process on a config file, for crash, restart and replica tests. Each start
/// asks for port 0 and reads the bound port from the process's own announcement: a port picked
/// beforehand could be taken by another test's server in between, and the health check would
/// then be answered by the wrong gateway.
final class GatewayProcess: @unchecked Sendable {
    let configPath: String
    let environment: [String: String]
    private var child: ChildProcess?
    /// The port of the running (or last) process; 0 before the first start.
    private(set) var port = 0

    /// The debug binary built by `swift build --build-tests`.
    static var binary: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/drgw").path
    }

    init(configPath: String, environment: [String: String]) {
        self.configPath = configPath
        self.environment = environment
    }

    var base: String { "http://127.0.0.1:\(port)" }

    private var directory: URL { URL(fileURLWithPath: configPath).deletingLastPathComponent() }
    /// The process's standard output (its JSON log lines), next to the config file.
    var outputPath: String { directory.appendingPathComponent("stdout.log").path }

    /// The log lines written so far, parsed.
    func logLines() -> [[String: Any]] {
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// Starts the process on a port of the system's choosing and waits until `/healthz` answers there.
    func start(client: CurlTransport) async throws {
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        env["DRGW_LOG_LEVEL"] = environment["DRGW_LOG_LEVEL"] ?? "error"
        // Each start writes its log lines to `outputPath` afresh.
        let child = try ChildProcess(
            executable: Self.binary, arguments: ["serve", "--config", configPath, "--host", "127.0.0.1", "--port", "0"],
            environment: env, stdoutPath: outputPath, stderrPath: directory.appendingPathComponent("stderr.log").path)
        try child.start()
        self.child = child
        let deadline = ContinuousClock.now + .seconds(60)
        var announced: Int?
        while ContinuousClock.now < deadline {
            guard child.isRunning else {
                throw GatewayProcessError(message: "drgw serve exited with \(child.status ?? -1): \(child.stderr.suffix(2000))")
            }
            if announced == nil { announced = Self.announcedPort(child.stderr) }
            if let port = announced {
                self.port = port
                if let response = try? await client.send(UpstreamRequest(method: "GET", url: base + "/healthz", timeout: 2)),
                    response.status == 200
                {
                    return
                }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        _ = await child.stop(signal: SIGKILL)
        throw GatewayProcessError(message: "drgw serve did not become healthy")
    }

    /// The port in `drgw serve: listening on http://127.0.0.1:PORT`.
    static func announcedPort(_ stderr: String) -> Int? {
        let marker = "listening on http://127.0.0.1:"
        guard let range = stderr.range(of: marker) else { return nil }
        return Int(stderr[range.upperBound...].prefix { $0.isNumber })
    }

    /// SIGKILL: no chance to finish anything.
    func kill9() async {
        guard let child else { return }
        _ = await child.stop(signal: SIGKILL, grace: .seconds(10))
    }

    /// SIGKILL without waiting: cleanup in a `defer` (tests of the graceful stop use `terminate()`).
    func abandon() { child?.killNow() }

    /// SIGTERM and wait for the graceful exit; -1 when it had to be killed after a minute.
    func terminate() async -> Int32 {
        guard let child else { return 0 }
        return await child.stop(signal: SIGTERM, grace: .seconds(60)) ?? -1
    }
}

struct GatewayProcessError: Error {
    var message: String
}
