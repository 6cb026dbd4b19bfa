import DRGWCore
import DRGWTesting
import Foundation
import Testing

@testable import HuaweiSDRS
@testable import HuaweiSDRSSimulation

/// Adapter behaviour that needs exact upstream answers: scripted transport, no sockets.
@Suite struct HuaweiSDRSAdapterUnitTests {
    static let project = "0605767a3300d5762fb7c0186d9e1779"
    let context = CallContext(requestId: "unit")

    func provider(
        _ transport: ScriptedTransport, region: String = "ap-southeast-3", endpoint: String? = nil,
        credentials: Credentials = Credentials(accessKey: "AK1", secretKey: "SK1"), clock: SteppingClock = SteppingClock()
    ) throws -> HuaweiSDRSProvider {
        let account = AccountSettings(
            id: "hw", provider: "huawei-sdrs", region: region, endpoint: endpoint, options: ["projectId": Self.project],
            credentials: credentials, limits: UpstreamLimits(maxAttempts: 3, baseBackoff: 0.001))
        return try HuaweiSDRSProvider(account: account, transport: transport, clock: { clock.read() }, unitRandom: { 0.5 })
    }

    static let job = UpstreamJob(kind: "drill.create", resource: ResourceReference(type: "drill", id: nil), token: ["jobId": "0000000062db92d70162db9d200f000a"])

    @Test func regionEndpointQuirkAndSignedRequestShape() async throws {
        let transport = ScriptedTransport([.answer(200, #"{"server_groups":[],"count":0}"#)])
        let p = try provider(transport, region: "ap-southeast-2")
        _ = try await p.listProtectionGroups(cursor: "20", limit: 10, context: context)
        let sent = try #require(transport.sent.first)
        #expect(sent.url == "https://sdrs.ap-southeast-3.myhuaweicloud.com/v1/\(Self.project)/server-groups?limit=10&offset=20")
        #expect(sent.header("Host") == "sdrs.ap-southeast-3.myhuaweicloud.com")
        #expect(sent.header("X-Sdk-Date")?.hasPrefix("20240102T0304") == true)
        #expect(sent.header("Content-Type") == "application/json")
        #expect(sent.header("X-Project-Id") == Self.project)
        let auth = try #require(sent.header("Authorization"))
        #expect(auth.hasPrefix("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature="))
        // The verifier (same code the simulator uses) accepts it.
        let verifier = HuaweiSignatureVerifier(secrets: ["AK1": "SK1"])
        #expect(verifier.verify(
            method: "GET", path: "/v1/\(Self.project)/server-groups", rawQuery: "limit=10&offset=20", headers: sent.headers, body: [],
            now: Date(timeIntervalSince1970: 1_704_164_645)) == nil)
    }

    @Test func securityTokenIsSignedAndAuthTokenIsNotSigned() async throws {
        let sts = ScriptedTransport([.answer(200, #"{"server_groups":[],"count":0}"#)])
        _ = try await provider(sts, credentials: Credentials(accessKey: "AK1", secretKey: "SK1", securityToken: "STS-TOKEN"))
            .listProtectionGroups(cursor: nil, limit: 5, context: context)
        #expect(sts.sent.first?.header("X-Security-Token") == "STS-TOKEN")
        #expect(sts.sent.first?.header("Authorization")?.contains("SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token,") == true)

        let iam = ScriptedTransport([.answer(200, #"{"server_groups":[],"count":0}"#)])
        _ = try await provider(iam, credentials: Credentials(authToken: "IAM-TOKEN")).listProtectionGroups(cursor: nil, limit: 5, context: context)
        #expect(iam.sent.first?.header("X-Auth-Token") == "IAM-TOKEN")
        #expect(iam.sent.first?.header("Authorization") == nil)
        #expect(iam.sent.first?.header("X-Sdk-Date") == nil)
    }

    @Test func readsRetryAndAreSignedAnew() async throws {
        let transport = ScriptedTransport([
            .answer(500, #"{"error":{"code":"SDRS.0013","message":"Internal error"}}"#),
            .fail(.timedOut),
            .answer(200, #"{"server_group":{"id":"g1","name":"pg","status":"protected"}}"#),
        ])
        let group = try await provider(transport).protectionGroup(id: "g1", context: context)
        #expect(group.status == .protected)
        #expect(transport.sent.count == 3)
        #expect(Set(transport.sent.compactMap { $0.header("X-Sdk-Date") }).count == 3)
    }

    @Test func writesRetryOnlyWhenNothingHappened() async throws {
        let body = CreateDrillInput(name: "d1", protectionGroupId: "g1")
        let group = #"{"server_group":{"id":"g1","name":"pg","status":"protected"}}"#
        // 5xx on the create: the outcome is unknown, so no second create.
        let unknown = ScriptedTransport([.answer(200, group), .answer(500, #"{"error":{"code":"SDRS.0013","message":"x"}}"#)])
        await expectProblem(.upstreamError) { _ = try await provider(unknown).createDrill(body, context: context) }
        #expect(unknown.sent.filter { $0.method == "POST" }.count == 1)
        // A timeout on the create: also unknown.
        let timeout = ScriptedTransport([.answer(200, group), .fail(.timedOut)])
        await expectProblem(.upstreamTimeout) { _ = try await provider(timeout).createDrill(body, context: context) }
        #expect(timeout.sent.filter { $0.method == "POST" }.count == 1)
        // Throttled by APIG, then the connection could not be made: both prove nothing happened.
        let safe = ScriptedTransport([
            .answer(200, group), .answer(429, #"{"error_code":"APIGW.0308","error_msg":"throttled"}"#, [("Retry-After", "0")]),
            .fail(.connectFailed), .answer(200, #"{"job_id":"0000000062db92d70162db9d200f000a"}"#),
        ])
        let job = try await provider(safe).createDrill(body, context: context)
        #expect(job.token["jobId"] == "0000000062db92d70162db9d200f000a")
        #expect(safe.sent.filter { $0.method == "POST" }.count == 3)
        #expect(String(decoding: safe.sent.last!.body, as: UTF8.self) == #"{"disaster_recovery_drill":{"name":"d1","server_group_id":"g1"}}"#)
    }

    @Test(arguments: [
        (TransportError.Code.connectFailed, "upstream_unavailable"), (.timedOut, "upstream_timeout"), (.reset, "upstream_error"),
        (.tls, "upstream_error"), (.tooLarge, "upstream_error"),
    ])
    func transportFailuresMap(_ code: TransportError.Code, _ expected: String) {
        #expect(HuaweiSDRSProvider.problem(for: TransportError(code)).code == expected)
    }

    @Test func jobProgressStates() async throws {
        let transport = ScriptedTransport([
            .answer(200, #"{"status":"INIT","job_id":"j","entities":{}}"#),
            .answer(200, #"{"status":"RUNNING","job_id":"j","entities":{}}"#),
            .answer(200, #"{"status":"PAUSED_BY_NEW_RELEASE","job_id":"j"}"#),
            .answer(200, #"{"status":"RUNNING","job_id":"j","entities":{"server_group_id":"g1","disaster_recovery_drill_id":"d-9"}}"#),
            .answer(200, #"{"status":"SUCCESS","job_id":"j","entities":{"server_group_id":"g1","disaster_recovery_drill_id":"d-9","extra":{"a":1}}}"#),
        ])
        let p = try provider(transport)
        #expect(try await p.progress(of: Self.job, context: context) == .running)
        #expect(try await p.progress(of: Self.job, context: context) == .running)
        #expect(try await p.progress(of: Self.job, context: context) == .running)
        // A running create job that already names its drill: the operation can show the id.
        #expect(try await p.progress(of: Self.job, context: context) == .creating(resourceId: "d-9"))
        #expect(try await p.progress(of: Self.job, context: context) == .succeeded(resourceId: "d-9"))
        #expect(transport.sent.first?.url.hasSuffix("/v1/\(Self.project)/jobs/0000000062db92d70162db9d200f000a") == true)
    }

    @Test func failedJobMapsItsSubJobError() async throws {
        let failed = #"""
            {"status":"FAIL","job_id":"j","error_code":null,"fail_reason":null,
             "entities":{"sub_jobs":[{"status":"SUCCESS","job_id":"s1"},
                                     {"status":"FAIL","job_id":"s2","error_code":"SDRS.1907","fail_reason":"vpc conflict"}]}}
            """#
        let transport = ScriptedTransport([
            .answer(200, failed),
            .answer(200, #"{"status":"FAIL","job_id":"j","error_code":"SDRS.1922","fail_reason":"Failed to create the DR drill"}"#),
        ])
        let p = try provider(transport)
        guard case .failed(let sub) = try await p.progress(of: Self.job, context: context) else {
            Issue.record("expected failure")
            return
        }
        #expect(sub.code == "invalid_request")
        #expect(sub.providerCode == "SDRS.1907")
        #expect(sub.providerMessage == "vpc conflict")
        guard case .failed(let top) = try await p.progress(of: Self.job, context: context) else {
            Issue.record("expected failure")
            return
        }
        #expect(top.code == "upstream_error")
        #expect(top.providerCode == "SDRS.1922")
    }

    @Test func drillFieldsAndTimeConversion() async throws {
        let transport = ScriptedTransport([
            .answer(200, #"{"disaster_recovery_drill":{"id":"d1","name":"dr","status":"available","drill_vpc_id":"v1","created_at":"2019-05-22 08:49:30.512","updated_at":"2019-05-22 08:49:30.512","server_group_id":"g1","drill_servers":[]}}"#),
            .answer(400, #"{"error":{"code":"SDRS.1902","message":"The DR drill is not found."}}"#),
        ])
        let p = try provider(transport)
        let drill = try await p.drill(id: "d1", context: context)
        #expect(drill == Drill(
            id: "d1", account: "hw", provider: "huawei-sdrs", name: "dr", protectionGroupId: "g1", drillNetworkId: "v1",
            status: .ready, providerStatus: "available", createdAt: "2019-05-22T08:49:30.512Z"))
        let gone = await expectProblem(.notFound) { _ = try await p.drill(id: "d2", context: context) }
        #expect(gone?.providerRequestId == "upstream-400")
        #expect(SDRSJSON.rfc3339(fromDrillTime: "2019-05-22 08:49:30") == "2019-05-22T08:49:30.000Z")
        #expect(SDRSJSON.rfc3339(fromDrillTime: "yesterday") == "yesterday")
        #expect(SDRSJSON.rfc3339(fromDrillTime: "2019-05-22 08:49:30.123456") == "2019-05-22T08:49:30.123456Z")
        for odd in ["2019-05-22 08:49:30.", "2019-05-22T08:49:30", "2019-05-22 08:49:3x", "2019-05-22 08:49:30.1234567", ""] {
            #expect(SDRSJSON.rfc3339(fromDrillTime: odd) == odd)
        }
        let stamp = SDRSJSON.drillTime(Date(timeIntervalSince1970: 1_558_514_970.512))
        #expect(stamp == "2019-05-22 08:49:30.512")
        #expect(SDRSJSON.rfc3339(fromDrillTime: stamp) == "2019-05-22T08:49:30.512Z")
    }

    @Test func unreadableAnswerIsUpstreamError() async throws {
        let transport = ScriptedTransport([.answer(200, "<html>")])
        await expectProblem(.upstreamError) { _ = try await provider(transport).protectionGroup(id: "g1", context: context) }
    }

    @Test func pluginValidatesAndBuildsDemoAccounts() throws {
        let ok = AccountSettings(id: "a", provider: "huawei-sdrs", region: "ap-southeast-3", options: ["projectId": "p"], credentials: Credentials(accessKey: "k", secretKey: "s"))
        #expect(HuaweiSDRSPlugin.validate(account: ok).isEmpty)
        var token = ok
        token.credentials = Credentials(authToken: "t")
        #expect(HuaweiSDRSPlugin.validate(account: token).isEmpty)
        var bad = ok
        bad.projectId = nil
        bad.credentials = Credentials(accessKey: "k")
        let problems = HuaweiSDRSPlugin.validate(account: bad)
        #expect(problems.count == 2)
        #expect(problems.map(\.key) == ["projectId", "credentials"])
        #expect(problems.first?.description == "projectId is required for huawei-sdrs accounts")
        #expect(throws: Problem.self) { _ = try HuaweiSDRSProvider(account: bad, transport: ScriptedTransport([])) }

        let options = SimulatorOptions(accessKey: "AK", secretKey: "SK")
        let demo = HuaweiSDRSPlugin.demoAccount(id: "hw-demo", endpoint: "http://127.0.0.1:9", options: options)
        #expect(demo.projectId == HuaweiSDRSSimulator.defaultProjectId)
        #expect(demo.region == "ap-southeast-3")
        #expect(demo.endpoint == "http://127.0.0.1:9")
        #expect(demo.credentials.accessKey == "AK" && demo.credentials.secretKey == "SK")
        var custom = options
        custom.settings["projectId"] = "proj-x"
        #expect(HuaweiSDRSPlugin.demoAccount(id: "hw", endpoint: "http://127.0.0.1:9", options: custom).projectId == "proj-x")
        #expect(HuaweiSDRSPlugin.name == "huawei-sdrs" && HuaweiSDRSPlugin.defaultRegion == "ap-southeast-3")
    }
}
