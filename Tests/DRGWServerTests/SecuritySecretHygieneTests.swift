import AlibabaEBS
import AlibabaEBSSimulation
import DRGWCore
import DRGWServer
import DRGWTesting
import DRGWTransport
import Foundation
import HuaweiSDRS
import HuaweiSDRSSimulation
import Logging
import Testing

/// No secret key, security token, bearer key or upstream `Authorization` value ever reaches
/// a log line, an answer (body or header), `/metrics` or `/openapi.json`: full drill flows on
/// both providers against their simulators, once in process with every log line captured
/// unredacted, once through a real `drgw serve` process logging JSON on stdout.
@Suite("Security: secret hygiene", .serialized)
struct SecuritySecretHygieneTests {
    static let tag = UUID().uuidString.prefix(8).lowercased()
    static let huaweiAK = "SECHWAK" + tag.uppercased() + "0001"
    static let huaweiSK = "hwSecret/" + tag + "/Zq8pL2mN4vB6xC1"
    static let huaweiToken = "hwSTS." + tag + ".gAAAAABlongtemporarytoken"
    static let alibabaAK = "LTAI5tSEC" + tag
    static let alibabaSK = "aliSecret+" + tag + "+Yt7uR3eW9qA0sD5"
    static let alibabaToken = "CAIS.ali." + tag + ".securitytokenvalue"
    static let wrongSK = "wrongSecret-" + tag + "-Hj6kL8"
    static let bearer = "sec-bearer-" + UUID().uuidString

    struct Upstreams: Sendable {
        let huawei: RunningSimulator
        let alibaba: RunningSimulator

        var huaweiGroup: String { (huawei.simulator as? HuaweiSDRSSimulator)?.seedGroupId ?? "" }

        func stop() async {
            await huawei.stop()
            await alibaba.stop()
        }

        /// Every credential-bearing value the simulators received: whole Authorization values,
        /// their signatures, token headers and V1 `Signature` parameters.
        var sentSecrets: [String] {
            var values: [String] = []
            for request in huawei.simulator.requestLog.all + alibaba.simulator.requestLog.all {
                for (name, value) in request.headers {
                    let lower = name.lowercased()
                    if lower == "authorization" {
                        values.append(value)
                        if let range = value.range(of: "Signature=") { values.append(String(value[range.upperBound...])) }
                    }
                    if lower == "x-security-token" || lower == "x-acs-security-token" || lower == "x-auth-token" { values.append(value) }
                }
                for pair in request.query.split(separator: "&") where pair.hasPrefix("Signature=") {
                    values.append(String(pair.dropFirst("Signature=".count)))
                }
            }
            return values.filter { $0.count >= 8 }
        }
    }

    static func startUpstreams() async throws -> Upstreams {
        let huawei = try await RunningSimulator.start(
            HuaweiSDRSPlugin.self, options: SimulatorOptions(accessKey: huaweiAK, secretKey: huaweiSK, jobSeconds: 0.05))
        let alibaba = try await RunningSimulator.start(
            AlibabaEBSPlugin.self, options: SimulatorOptions(accessKey: alibabaAK, secretKey: alibabaSK, jobSeconds: 0.05))
        return Upstreams(huawei: huawei, alibaba: alibaba)
    }

    static var fixedSecrets: [String] { [huaweiSK, huaweiToken, alibabaSK, alibabaToken, wrongSK, bearer] }

    /// Every `secret` that occurs in `text`, named by where it was found.
    static func leaks(_ secrets: [String], in texts: [(String, String)]) -> [String] {
        var found: [String] = []
        for (place, text) in texts {
            for secret in secrets where text.contains(secret) {
                found.append("\(place) contains \(secret.prefix(6))…")
            }
        }
        return found
    }

    @Test(.timeLimit(.minutes(2)))
    func inProcessDrillFlowsLeakNoSecretIntoLogsOrAnswers() async throws {
        let upstreams = try await Self.startUpstreams()
        let lines = CaptureLogLines()
        var hw = HuaweiSDRSPlugin.demoAccount(
            id: "sec-hw", endpoint: upstreams.huawei.endpoint, options: SimulatorOptions(accessKey: Self.huaweiAK, secretKey: Self.huaweiSK))
        hw.credentials.securityToken = Self.huaweiToken
        var ali = AlibabaEBSPlugin.demoAccount(
            id: "sec-ali", endpoint: upstreams.alibaba.endpoint,
            options: SimulatorOptions(accessKey: Self.alibabaAK, secretKey: Self.alibabaSK))
        ali.credentials.securityToken = Self.alibabaToken
        var aliV1 = ali
        aliV1.id = "sec-ali-v1"
        aliV1.signature = "v1"
        var bad = ali
        bad.id = "sec-ali-bad"
        bad.credentials.secretKey = Self.wrongSK
        bad.limits.maxAttempts = 1
        var config = GatewayConfig()
        config.rateLimit.requestsPerSecond = 10_000
        config.rateLimit.burst = 10_000
        config.rateLimit.failedAuthPerSecond = 10_000
        config.rateLimit.failedAuthBurst = 10_000
        config.accounts = [hw, ali, aliV1, bad]
        config.tenants = [
            GatewayConfig.Tenant(name: "sec", apiKeySha256: [Digest.sha256Hex(Self.bearer)], accounts: config.accounts.map(\.id))
        ]
        let huaweiGroup = upstreams.huaweiGroup
        let texts: [(String, String)]
        do {
            texts = try await SecurityGateway.with(
                config: config, plugins: [HuaweiSDRSPlugin.self, AlibabaEBSPlugin.self], logger: lines.logger(label: "sec-gateway")
            ) { gateway in
                var flow = SecurityDrillFlow { method, path, json, headers in
                    try await gateway.send(method, path, key: Self.bearer, json: json, headers: headers)
                }
                try await flow.run(account: "sec-hw", group: huaweiGroup, tag: "hw\(Self.tag)")
                try await flow.run(account: "sec-ali", group: AlibabaEBSSimulator.seedGroupId, tag: "ali\(Self.tag)")
                try await flow.run(account: "sec-ali-v1", group: AlibabaEBSSimulator.seedPairId, tag: "v1\(Self.tag)")
                // Upstream refuses the signature made with the wrong secret: an operator problem, with no secret in it.
                let refused = try await gateway.send("GET", "/v1/accounts/sec-ali-bad/protection-groups", key: Self.bearer)
                #expect(refused.status == 502, "\(refused.wireText)")
                #expect(refused.jsonObject["code"] as? String == "upstream_auth_failed")
                let metrics = try await gateway.send("GET", "/metrics", key: nil)
                let openAPI = try await gateway.send("GET", "/openapi.json", key: nil)
                #expect(metrics.status == 200 && openAPI.status == 200)
                return (flow.answers + [refused]).enumerated().map { ("answer \($0.offset)", $0.element.wireText) }
                    + [("/metrics", metrics.wireText), ("/openapi.json", openAPI.wireText)]
            }
        } catch {
            await upstreams.stop()
            throw error
        }
        let sent = upstreams.sentSecrets
        await upstreams.stop()
        // The checks can fail: credentials did go upstream, and the gateway did log.
        #expect(sent.contains { $0.hasPrefix("SDK-HMAC-SHA256 ") })
        #expect(sent.contains { $0.hasPrefix("ACS3-HMAC-SHA256 ") })
        #expect(sent.contains(Self.huaweiToken) && sent.contains(Self.alibabaToken))
        let logged = lines.all
        #expect(logged.count >= 20)
        let all = texts + logged.enumerated().map { ("log line \($0.offset)", $0.element) }
        let leaks = Self.leaks(Self.fixedSecrets + sent, in: all)
        #expect(leaks.isEmpty, "\(Set(leaks).sorted().prefix(10))")
        if !leaks.isEmpty, ProcessInfo.processInfo.environment["DRGW_SECURITY_DEBUG"] != nil {
            for line in logged.prefix(5) { print("LOG:", line.prefix(600)) }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aServeProcessLogsJSONWithoutAnySecret() async throws {
        guard FileManager.default.isExecutableFile(atPath: GatewayProcess.binary) else {
            Issue.record("drgw is not built at \(GatewayProcess.binary)")
            return
        }
        let upstreams = try await Self.startUpstreams()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("drgw-sec-\(Self.tag)-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let yaml = """
            server:
              host: 127.0.0.1
            store:
              url: sqlite://\(directory.appendingPathComponent("drgw.sqlite").path)
            tenants:
              - name: sec
                apiKeySha256: ["\(Digest.sha256Hex(Self.bearer))"]
                accounts: [sec-hw, sec-ali, sec-ali-bad]
            accounts:
              - id: sec-hw
                provider: huawei-sdrs
                region: ap-southeast-3
                projectId: \(HuaweiSDRSSimulator.defaultProjectId)
                endpoint: \(upstreams.huawei.endpoint)
                credentials: {accessKeyEnv: SEC_HW_AK, secretKeyEnv: SEC_HW_SK, securityTokenEnv: SEC_HW_STS}
              - id: sec-ali
                provider: alibaba-ebs
                region: cn-shanghai
                endpoint: \(upstreams.alibaba.endpoint)
                credentials: {accessKeyEnv: SEC_ALI_AK, secretKeyFile: \(directory.appendingPathComponent("ali.sk").path), securityTokenEnv: SEC_ALI_STS}
              - id: sec-ali-bad
                provider: alibaba-ebs
                region: cn-shanghai
                endpoint: \(upstreams.alibaba.endpoint)
                retry: {maxAttempts: 1}
                credentials: {accessKeyEnv: SEC_ALI_AK, secretKeyEnv: SEC_ALI_WRONG}
            """
        let configPath = directory.appendingPathComponent("drgw.yaml").path
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: configPath))
        let secretPath = directory.appendingPathComponent("ali.sk").path
        try Data(Self.alibabaSK.utf8).write(to: URL(fileURLWithPath: secretPath))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secretPath)
        let outputPath = directory.appendingPathComponent("stdout.log").path
        var environment = ProcessInfo.processInfo.environment
        environment.merge([
            "SEC_HW_AK": Self.huaweiAK, "SEC_HW_SK": Self.huaweiSK, "SEC_HW_STS": Self.huaweiToken,
            "SEC_ALI_AK": Self.alibabaAK, "SEC_ALI_STS": Self.alibabaToken, "SEC_ALI_WRONG": Self.wrongSK,
            "DRGW_LOG_LEVEL": "trace",
        ]) { _, new in new }
        let process = try ChildProcess(
            executable: GatewayProcess.binary, arguments: ["serve", "--config", configPath, "--port", "0"], environment: environment,
            stdoutPath: outputPath, stderrPath: directory.appendingPathComponent("stderr.log").path)
        let client = CurlTransport(userAgent: "drgw-security-client/0.1")
        defer { client.shutdown() }
        try process.start()
        var base = ""
        var texts: [(String, String)] = []
        do {
            let deadline = ContinuousClock.now + .seconds(60)
            var healthy = false
            while ContinuousClock.now < deadline, process.isRunning {
                if let port = GatewayProcess.announcedPort(process.stderr) {
                    base = "http://127.0.0.1:\(port)"
                    if let r = try? await client.send(UpstreamRequest(method: "GET", url: base + "/healthz", timeout: 2)), r.status == 200 {
                        healthy = true
                        break
                    }
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            try #require(healthy, "drgw serve did not become healthy")
            let base = base
            var flow = SecurityDrillFlow { method, path, json, headers in
                var all: [(name: String, value: String)] = [("Authorization", "Bearer \(Self.bearer)")]
                if json != nil { all.append(("Content-Type", "application/json")) }
                return try await client.send(
                    UpstreamRequest(method: method, url: base + path, headers: all + headers, body: Array((json ?? "").utf8), timeout: 40))
            }
            try await flow.run(account: "sec-hw", group: upstreams.huaweiGroup, tag: "phw\(Self.tag)")
            try await flow.run(account: "sec-ali", group: AlibabaEBSSimulator.seedPairId, tag: "pali\(Self.tag)")
            let refused = try await client.send(
                UpstreamRequest(
                    method: "GET", url: base + "/v1/accounts/sec-ali-bad/drills", headers: [("Authorization", "Bearer \(Self.bearer)")]))
            #expect(refused.jsonObject["code"] as? String == "upstream_auth_failed", "\(refused.wireText)")
            let metrics = try await client.send(UpstreamRequest(method: "GET", url: base + "/metrics"))
            let openAPI = try await client.send(UpstreamRequest(method: "GET", url: base + "/openapi.json"))
            texts = (flow.answers + [refused]).enumerated().map { ("answer \($0.offset)", $0.element.wireText) }
                + [("/metrics", metrics.wireText), ("/openapi.json", openAPI.wireText)]
        } catch {
            _ = await process.stop()
            await upstreams.stop()
            throw error
        }
        #expect(await process.stop() == 0)
        let sent = upstreams.sentSecrets
        await upstreams.stop()
        let logText = process.stdout + process.stderr
        let logLines = logText.split(separator: "\n").map(String.init)
        // Real JSON lines, at trace level, with request lines for the flow.
        #expect(logLines.count >= 20)
        #expect(logLines.filter { $0.hasPrefix("{") && $0.contains("\"msg\":\"request\"") }.count >= 15)
        #expect(sent.contains { $0.hasPrefix("SDK-HMAC-SHA256 ") } && sent.contains { $0.hasPrefix("ACS3-HMAC-SHA256 ") })
        #expect(sent.contains(Self.huaweiToken) && sent.contains(Self.alibabaToken))
        let leaks = Self.leaks(Self.fixedSecrets + sent, in: texts + logLines.enumerated().map { ("stdout line \($0.offset)", $0.element) })
        #expect(leaks.isEmpty, "\(Set(leaks).sorted().prefix(10))")
        // Not even the safety net had to act: a redacted marker means something tried to log a secret.
        #expect(!logText.contains("[redacted]"), "\(logLines.filter { $0.contains("[redacted]") }.prefix(3))")
    }
}
