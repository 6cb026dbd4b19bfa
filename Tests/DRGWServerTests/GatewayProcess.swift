import DRGWCore
import DRGWTesting
import DRGWTransport
import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// A real `drgw serve` process on a config file, for crash and restart tests.
final class GatewayProcess: @unchecked Sendable {
    let port: Int
    let configPath: String
    let environment: [String: String]
    private var process: Process?

    /// The debug binary built by `swift build --build-tests`.
    static var binary: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/drgw").path
    }

    init(port: Int, configPath: String, environment: [String: String]) {
        self.port = port
        self.configPath = configPath
        self.environment = environment
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// The process's standard output (its JSON log lines), next to the config file.
    var outputPath: String { URL(fileURLWithPath: configPath).deletingLastPathComponent().appendingPathComponent("stdout.log").path }

    /// The log lines written so far, parsed.
    func logLines() -> [[String: Any]] {
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// Starts the process and waits until `/healthz` answers.
    func start(client: CurlTransport) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve", "--config", configPath, "--port", String(port)]
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        env["DRGW_LOG_LEVEL"] = environment["DRGW_LOG_LEVEL"] ?? "error"
        process.environment = env
        // Each start writes its log lines to `outputPath` afresh.
        FileManager.default.createFile(atPath: outputPath, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: outputPath)
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let response = try? await client.send(HTTPRequest(method: "GET", url: base + "/healthz", timeout: 1)), response.status == 200 {
                return
            }
            guard process.isRunning else { throw GatewayProcessError(message: "drgw serve exited with \(process.terminationStatus)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw GatewayProcessError(message: "drgw serve did not become healthy")
    }

    /// SIGKILL: no chance to finish anything.
    func kill9() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM and wait for the graceful exit.
    func terminate() -> Int32 {
        guard let process, process.isRunning else { return process?.terminationStatus ?? 0 }
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

struct GatewayProcessError: Error {
    var message: String
}
