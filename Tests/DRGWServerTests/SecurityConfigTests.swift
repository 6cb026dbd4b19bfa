import DRGWCore
import DRGWServer
import DRGWTesting
import Foundation
import Testing

/// Secret hygiene at startup: secrets come from the environment or from files that only their
/// owner can read; every refusal names the key or variable and never a value.
@Suite("Security: configuration secrets")
struct SecurityConfigTests {
    static let secretValue = "sk-" + UUID().uuidString + "-do-not-print"

    func yaml(credentials: String) -> String {
        """
        store:
          url: sqlite:///tmp/drgw-security-config.sqlite
        tenants:
          - name: t
            apiKeySha256: ["\(Digest.sha256Hex("some-key-0123456789"))"]
            accounts: [acct-1]
        accounts:
          - id: acct-1
            provider: fake
            region: local-1
            credentials:
        \(credentials)
        """
    }

    func secretFile(mode: Int) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("drgw-secret-\(UUID().uuidString)").path
        try Data((Self.secretValue + "\n").utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    func load(_ yaml: String, environment: [String: String] = [:]) throws -> GatewayConfig {
        try ConfigLoader(environment: environment, plugins: [FakePlugin.self]).load(yaml: yaml)
    }

    @Test func aWorldReadableSecretFileIsRefusedByItsKey() throws {
        let path = try secretFile(mode: 0o644)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = yaml(credentials: "          accessKeyEnv: SEC_AK\n          secretKeyFile: \(path)")
        let error = try #require(throws: ConfigError.self) { try load(text, environment: ["SEC_AK": "AKID-SEC"]) }
        #expect(error.key == "accounts[0].credentials.secretKeyFile")
        #expect(error.description.contains("world-readable"))
        #expect(!error.description.contains(Self.secretValue))
        #expect(!"\(error)".contains(Self.secretValue))
    }

    @Test func anOwnerOnlySecretFileLoads() throws {
        let path = try secretFile(mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = yaml(credentials: "          accessKeyEnv: SEC_AK\n          secretKeyFile: \(path)")
        let config = try load(text, environment: ["SEC_AK": "AKID-SEC"])
        #expect(config.accounts.first?.credentials.secretKey == Self.secretValue)
        // Credentials never print their values.
        #expect(!"\(config.accounts[0].credentials)".contains(Self.secretValue))
        #expect(!String(reflecting: config.accounts[0].credentials).contains(Self.secretValue))
    }

    @Test func aMissingEnvironmentVariableIsNamedAndNoValueIsPrinted() throws {
        let text = yaml(credentials: "          accessKeyEnv: SEC_AK\n          secretKeyEnv: SEC_SK_MISSING\n          securityTokenEnv: SEC_TOKEN")
        // The access key and the token are set; the secret key's variable is not.
        let environment = ["SEC_AK": "AKID-" + Self.secretValue, "SEC_TOKEN": "token-" + Self.secretValue, "OTHER": Self.secretValue]
        let error = try #require(throws: ConfigError.self) { try load(text, environment: environment) }
        #expect(error.key == "accounts[0].credentials.secretKeyEnv")
        #expect(error.description.contains("SEC_SK_MISSING"))
        #expect(!error.description.contains(Self.secretValue))
        // An empty variable counts as missing.
        let empty = try #require(throws: ConfigError.self) {
            try load(text, environment: environment.merging(["SEC_SK_MISSING": ""]) { _, new in new })
        }
        #expect(empty.key == "accounts[0].credentials.secretKeyEnv")
        #expect(!empty.description.contains(Self.secretValue))
        // Once it is set, the same file loads.
        let loaded = try load(text, environment: environment.merging(["SEC_SK_MISSING": Self.secretValue]) { _, new in new })
        #expect(loaded.accounts[0].credentials.securityToken == "token-" + Self.secretValue)
    }

    @Test func anUnreadableSecretFileIsNamedWithoutItsContents() throws {
        let text = yaml(credentials: "          accessKeyEnv: SEC_AK\n          secretKeyFile: /nonexistent/drgw/\(UUID().uuidString)")
        let error = try #require(throws: ConfigError.self) { try load(text, environment: ["SEC_AK": "AKID-SEC"]) }
        #expect(error.key == "accounts[0].credentials.secretKeyFile")
    }

    /// `drgw serve` itself: exit 78 and one line naming the key or variable, never a value.
    @Test func serveRefusesBadSecretsWithExit78AndNoValue() async throws {
        guard FileManager.default.isExecutableFile(atPath: GatewayProcess.binary) else {
            Issue.record("drgw is not built at \(GatewayProcess.binary)")
            return
        }
        let path = try secretFile(mode: 0o644)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let cases: [(credentials: String, expected: [String])] = [
            ("{accessKeyEnv: SEC_SERVE_AK, secretKeyFile: \(path)}", ["accounts[0].credentials.secretKeyFile", "world-readable"]),
            ("{accessKeyEnv: SEC_SERVE_AK, secretKeyEnv: SEC_SERVE_SK_UNSET}", ["accounts[0].credentials.secretKeyEnv", "SEC_SERVE_SK_UNSET"]),
        ]
        for (credentials, expected) in cases {
            let config = """
                store:
                  url: sqlite:///tmp/drgw-security-serve-\(UUID().uuidString).sqlite
                accounts:
                  - id: hw-1
                    provider: huawei-sdrs
                    projectId: 0605767a3300d5762fb7c0186d9e1779
                    credentials: \(credentials)
                """
            let configPath = FileManager.default.temporaryDirectory.appendingPathComponent("drgw-sec-\(UUID().uuidString).yaml").path
            try Data(config.utf8).write(to: URL(fileURLWithPath: configPath))
            defer { try? FileManager.default.removeItem(atPath: configPath) }
            var environment = ProcessInfo.processInfo.environment
            environment["SEC_SERVE_AK"] = "AK-" + Self.secretValue
            environment["SEC_OTHER"] = Self.secretValue
            environment.removeValue(forKey: "SEC_SERVE_SK_UNSET")
            // A config that loads after all would serve until killed: the limit ends it.
            let outcome = try await ChildProcess.run(
                GatewayProcess.binary, ["serve", "--config", configPath, "--port", "0"], environment: environment, limit: .seconds(60))
            let text = outcome.stdout + outcome.stderr
            #expect(outcome.status == 78, "\(text)")
            for word in expected { #expect(text.contains(word), "\(text)") }
            #expect(!text.contains(Self.secretValue))
        }
    }
}
