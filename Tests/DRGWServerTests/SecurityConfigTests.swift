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
}
