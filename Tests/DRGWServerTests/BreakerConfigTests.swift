import AlibabaEBS
import DRGWServer
import Foundation
import HuaweiSDRS
import Testing

@Suite("Breaker configuration")
struct BreakerConfigTests {
    let loader = ConfigLoader(environment: ["HW_AK": "AKVALUE", "HW_SK": "SECRETVALUE-123"], plugins: [HuaweiSDRSPlugin.self, AlibabaEBSPlugin.self])

    func yaml(breaker: String?) -> String {
        """
        store: { url: "sqlite:///tmp/x.sqlite" }
        accounts:
          - id: hw
            provider: huawei-sdrs
            projectId: p1
            credentials: { accessKeyEnv: HW_AK, secretKeyEnv: HW_SK }
        \(breaker.map { "    breaker: \($0)" } ?? "")
          - id: hw2
            provider: huawei-sdrs
            projectId: p2
            credentials: { accessKeyEnv: HW_AK, secretKeyEnv: HW_SK }
        """
    }

    @Test func perAccountBreakerSettingsAreRead() throws {
        let config = try loader.load(yaml: yaml(breaker: "{ failureThreshold: 7, openSeconds: 2.5 }"))
        #expect(config.breakers["hw"] == BreakerSettings(failureThreshold: 7, openSeconds: 2.5))
        #expect(config.breakers["hw2"] == nil)
    }

    @Test func omittedKeysKeepTheDefaults() throws {
        let config = try loader.load(yaml: yaml(breaker: "{ openSeconds: 9 }"))
        #expect(config.breakers["hw"] == BreakerSettings(failureThreshold: 5, openSeconds: 9))
    }

    @Test(arguments: [
        ("{ failureThreshold: 0 }", "accounts[0].breaker.failureThreshold"),
        ("{ openSeconds: 0 }", "accounts[0].breaker.openSeconds"),
        ("{ openSeconds: 99999 }", "accounts[0].breaker.openSeconds"),
        ("{ failureThreshold: lots }", "accounts[0].breaker.failureThreshold"),
    ])
    func invalidValuesNameTheKey(breaker: String, key: String) {
        do {
            _ = try loader.load(yaml: yaml(breaker: breaker))
            Issue.record("accepted \(breaker)")
        } catch let error as ConfigError {
            #expect(error.key == key)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
