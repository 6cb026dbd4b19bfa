import AlibabaEBS
@testable import DRGWServer
import DRGWTesting
import Foundation
import HuaweiSDRS
import Testing

@Suite("Configuration")
struct ConfigTests {
    let loader = ConfigLoader(environment: ["HW_AK": "AKVALUE", "HW_SK": "SECRETVALUE-123"], plugins: [HuaweiSDRSPlugin.self, AlibabaEBSPlugin.self])

    let valid = """
        server: { host: 127.0.0.1, port: 9090 }
        store: { url: "sqlite:///tmp/x.sqlite" }
        tenants:
          - name: platform
            apiKeySha256: ["\(String(repeating: "ab", count: 32))"]
            accounts: [hw]
        accounts:
          - id: hw
            provider: huawei-sdrs
            projectId: p1
            credentials: { accessKeyEnv: HW_AK, secretKeyEnv: HW_SK }
        """

    func errorKey(_ yaml: String, environment: [String: String]? = nil) -> String? {
        let loader = environment.map { ConfigLoader(environment: $0, plugins: [HuaweiSDRSPlugin.self, AlibabaEBSPlugin.self]) } ?? self.loader
        do {
            _ = try loader.load(yaml: yaml)
            return nil
        } catch let error as ConfigError {
            return error.key
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func stageTimingIsOffUnlessAFileIsNamed() throws {
        #expect(try loader.load(yaml: valid).diagnostics.stageTimingFile == nil)
        let named = try loader.load(yaml: valid + "\ndiagnostics: { stageTimingFile: /tmp/stages.json }")
        #expect(named.diagnostics.stageTimingFile == "/tmp/stages.json")
        let fromEnvironment = ConfigLoader(
            environment: ["HW_AK": "AKVALUE", "HW_SK": "SECRETVALUE-123", "DRGW_STAGE_TIMING_FILE": "/tmp/env.json"],
            plugins: [HuaweiSDRSPlugin.self])
        #expect(try fromEnvironment.load(yaml: valid).diagnostics.stageTimingFile == "/tmp/env.json")
        #expect(errorKey(valid + "\ndiagnostics: { stageTimingFile: [a] }") == "diagnostics.stageTimingFile")
        #expect(errorKey(valid + "\ndiagnostics: { stageTimings: x }") == "diagnostics.stageTimings")
    }

    @Test func aValidFileLoadsWithSecretsFromTheEnvironment() throws {
        let config = try loader.load(yaml: valid)
        #expect(config.server.port == 9090)
        #expect(config.accounts.first?.credentials.secretKey == "SECRETVALUE-123")
        #expect(config.accounts.first?.region == "ap-southeast-3")
        #expect(config.upstream.maxConnectionsPerHost == 128)
        #expect(config.operations.retentionDays == 30)
        let published = try loader.load(yaml: valid.replacingOccurrences(of: "port: 9090", with: "port: 9090, publicURL: \"https://drgw.example.com\""))
        let document = String(decoding: OpenAPIDocument.bytes(publicURL: published.server.publicURL), as: UTF8.self)
        #expect(document.contains(#""url": "https://drgw.example.com""#))
        #expect(!document.contains(#""url": "/""#))
        #expect(try loader.load(yaml: valid + "\noperations: { retentionDays: 7.5 }").operations.retentionDays == 7.5)
        #expect(try loader.load(yaml: valid + "\nupstream: { maxConnectionsPerHost: 300 }").upstream.maxConnectionsPerHost == 300)
        #expect(!String(describing: config.accounts.first!.credentials).contains("SECRETVALUE"))
        #expect(config.accounts.first?.groupCheckSeconds == 2)
        let tuned = valid.replacingOccurrences(of: "projectId: p1", with: "projectId: p1\n    groupCheckSeconds: 0")
        #expect(try loader.load(yaml: tuned).accounts.first?.groupCheckSeconds == 0)
    }

    @Test func environmentOverridesTheFile() throws {
        let loader = ConfigLoader(environment: ["HW_AK": "a", "HW_SK": "b", "DRGW_PORT": "7070", "DRGW_HOST": "0.0.0.0"], plugins: [HuaweiSDRSPlugin.self])
        let config = try loader.load(yaml: valid)
        #expect(config.server.port == 7070)
        #expect(config.server.host == "0.0.0.0")
    }

    @Test func everyErrorNamesItsKey() {
        #expect(errorKey(valid.replacingOccurrences(of: "port: 9090", with: "port: abc")) == "server.port")
        #expect(errorKey(valid.replacingOccurrences(of: "provider: huawei-sdrs", with: "provider: gcp")) == "accounts[0].provider")
        #expect(errorKey(valid.replacingOccurrences(of: "accounts: [hw]", with: "accounts: [nope]")) == "tenants[0].accounts[0]")
        #expect(errorKey(valid.replacingOccurrences(of: "sqlite:///tmp/x.sqlite", with: "mysql://x")) == "store.url")
        #expect(errorKey(valid.replacingOccurrences(of: String(repeating: "ab", count: 32), with: "xyz")) == "tenants[0].apiKeySha256[0]")
        #expect(errorKey(valid, environment: ["HW_AK": "a"]) == "accounts[0].credentials.secretKeyEnv")
        #expect(errorKey(valid + "\nupstream: { maxConnectionsPerHost: 0 }") == "upstream.maxConnectionsPerHost")
        #expect(errorKey(valid + "\nupstream: { maxConnectionsPerHost: many }") == "upstream.maxConnectionsPerHost")
        #expect(errorKey(valid.replacingOccurrences(of: "projectId: p1", with: "projectId: p1\n    groupCheckSeconds: 301")) == "accounts[0].groupCheckSeconds")
        #expect(errorKey(valid + "\noperations: { retentionDays: 0 }") == "operations.retentionDays")
        #expect(errorKey(valid.replacingOccurrences(of: "port: 9090", with: "port: 9090, publicURL: \"ftp://x\"")) == "server.publicURL")
        #expect(errorKey("server: [1, 2]") == "server")
        #expect(errorKey("server: {port: 1") == "config")
    }

    @Test func aKeyNobodyReadsIsAnErrorNamingIt() throws {
        // A typo in a section, an unknown section, a misplaced key in an account: each named.
        #expect(errorKey(valid + "\nidempotency: { retentionHour: 3 }") == "idempotency.retentionHour")
        #expect(errorKey(valid + "\nlimits: { x: 1 }") == "limits")
        #expect(errorKey(valid.replacingOccurrences(of: "projectId: p1", with: "projectId: p1\n    regoin: eu")) == "accounts[0].regoin")
        #expect(errorKey(valid.replacingOccurrences(of: "accessKeyEnv: HW_AK", with: "accessKeyEnv: HW_AK, accesKeyFile: /x")) == "accounts[0].credentials.accesKeyFile")
        #expect(errorKey(valid.replacingOccurrences(of: "accessKeyEnv: HW_AK", with: "accessKeyEnv: HW_AK, accessKeyFile: /x")) == "accounts[0].credentials.accessKeyFile")
        do {
            _ = try loader.load(yaml: valid + "\nidempotency: { retentionHour: 3, leaseSecond: 2 }")
            Issue.record("expected a configuration error")
        } catch let error as ConfigError {
            #expect(error.message.contains("idempotency.leaseSecond"), "\(error)")
        }
        // Every documented key is read: the full example loads.
        _ = try loader.load(yaml: valid + """

            idempotency: { retentionHours: 24, leaseSeconds: 30 }
            operations: { leaseSeconds: 60, maxConcurrentPolls: 64, scanSeconds: 0.5 }
            rateLimit: { requestsPerSecond: 10, burst: 20, failedAuthPerSecond: 1, failedAuthBurst: 5 }
            upstream: { maxConnectionsPerHost: 32 }
            evidence: { sweepSeconds: 5, verifyAfterSeconds: 1, maxDeleteAttempts: 3, scheduleTickSeconds: 1 }
            logging: { level: debug }
            """)
    }

    @Test func cloudSpecificKeysBelongToTheirProvider() throws {
        let config = try loader.load(yaml: valid)
        #expect(config.accounts.first?.options == ["projectId": "p1"])
        // Another cloud's key is unknown here, not silently ignored.
        #expect(errorKey(valid.replacingOccurrences(of: "projectId: p1", with: "projectId: p1\n    signature: v1")) == "accounts[0].signature")
        // The plugin's own checks name the key and say what is wrong, once.
        do {
            _ = try loader.load(yaml: valid.replacingOccurrences(of: "    projectId: p1\n", with: ""))
            Issue.record("expected a configuration error")
        } catch let error as ConfigError {
            #expect(error.key == "accounts[0].projectId")
            #expect(error.message == "is required for huawei-sdrs accounts", "\(error)")
        }
        let alibaba = valid.replacingOccurrences(of: "provider: huawei-sdrs\n    projectId: p1", with: "provider: alibaba-ebs\n    signature: v2")
        do {
            _ = try loader.load(yaml: alibaba)
            Issue.record("expected a configuration error")
        } catch let error as ConfigError {
            #expect(error.key == "accounts[0].signature")
            #expect(error.message == "must be v3 or v1", "\(error)")
        }
        let v1 = try loader.load(yaml: alibaba.replacingOccurrences(of: "signature: v2", with: "signature: v1"))
        #expect(v1.accounts.first?.signature == "v1")
    }

    @Test func aMissingVariableIsNamedButNoValueIsPrinted() {
        do {
            _ = try ConfigLoader(environment: ["HW_AK": "AKVALUE"], plugins: [HuaweiSDRSPlugin.self]).load(yaml: valid)
            Issue.record("expected a configuration error")
        } catch {
            let text = String(describing: error)
            #expect(text.contains("HW_SK"))
            #expect(!text.contains("AKVALUE"))
        }
    }

    @Test("drgw serve exits 78 and names the key", .enabled(if: FileManager.default.isExecutableFile(atPath: GatewayProcess.binary)))
    func serveExits78() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("drgw-bad-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try valid.replacingOccurrences(of: "port: 9090", with: "port: -5").write(toFile: path, atomically: true, encoding: .utf8)
        let bad = try await ChildProcess.run(
            GatewayProcess.binary, ["serve", "--config", path], environment: ["HW_AK": "a", "HW_SK": "b", "PATH": "/usr/bin:/bin"])
        #expect(bad.status == 78)
        #expect(bad.stderr.contains("server.port"), "stderr: \(bad.stderr)")

        let usage = try await ChildProcess.run(GatewayProcess.binary, ["serve", "--port", "nope"], environment: [:])
        #expect(usage.status == 64)
    }
}
