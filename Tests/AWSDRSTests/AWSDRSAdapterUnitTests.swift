import AWSDRS
import DRGWCore
import DRGWTesting
import Foundation
import Testing

/// The DRS adapter's rules without a network: error reading, retries, reconcile, job outcomes.
@Suite("AWS DRS adapter rules")
struct AWSDRSAdapterUnitTests {
    static let planArn = "arn:aws:drs:us-east-1:111122223333:recovery-plan/rp-0123456789abcdefA"

    static func provider(_ transport: ScriptedTransport, attempts: Int = 3) throws -> AWSDRSProvider {
        var account = AccountSettings(
            id: "aws", provider: AWSDRSPlugin.name, region: "us-east-1", endpoint: "http://127.0.0.1:9",
            credentials: Credentials(accessKey: "AKIDEXAMPLE", secretKey: "secret"))
        account.limits = UpstreamLimits(maxAttempts: attempts, retryBudgetSeconds: 5, baseBackoff: 0.001)
        return try AWSDRSProvider(
            account: account, transport: transport, clock: { Date(timeIntervalSince1970: 1_780_000_000) }, unitRandom: { 0 })
    }

    static func error(_ status: Int, _ type: String, message: String = "nope", headerSuffix: String = "") -> UpstreamResponse {
        UpstreamResponse(
            status: status,
            headers: [("x-amzn-ErrorType", type + headerSuffix), ("x-amzn-RequestId", "req-\(type)"), ("Content-Type", "application/json")],
            body: Array(#"{"message":"\#(message)"}"#.utf8))
    }

    @Test("the error type comes from x-amzn-ErrorType (suffix cut) or the body's __type / code, and maps through the table")
    func errorTypes() {
        let table = AWSDRSTables.shared.errors
        let header = Self.error(429, "ThrottlingException", headerSuffix: ":http://internal.amazon.com/coral/com.amazonaws.drs/")
        #expect(AWSErrorParser.parse(header).type == "ThrottlingException")
        let problem = AWSErrorParser.problem(for: header, table: table)
        #expect(problem.hasCode(.rateLimited))
        #expect(problem.providerRequestId == "req-ThrottlingException")
        #expect(problem.providerMessage == "nope")

        let body = UpstreamResponse(status: 409, body: Array(#"{"__type":"com.amazonaws.drs#ConflictException","message":"busy"}"#.utf8))
        #expect(AWSErrorParser.parse(body).type == "ConflictException")
        #expect(AWSErrorParser.problem(for: body, table: table).hasCode(.conflict))
        let code = UpstreamResponse(status: 404, body: Array(#"{"code":"ResourceNotFoundException","message":"gone"}"#.utf8))
        #expect(AWSErrorParser.problem(for: code, table: table).hasCode(.notFound))
        let signature = Self.error(403, "InvalidSignatureException")
        #expect(AWSErrorParser.problem(for: signature, table: table).hasCode(.upstreamAuthFailed))
        // A type the table does not know falls back to the HTTP status.
        #expect(AWSErrorParser.problem(for: Self.error(503, "SomethingNewException"), table: table).hasCode(.upstreamUnavailable))
    }

    @Test("a StartRecovery answered 500 is not sent again (it may have launched); throttling is; reads retry on 500")
    func retryRules() async throws {
        let steps = """
            {"recoveryPlans":[{"recoveryPlanArn":"\(Self.planArn)","name":"p","status":"ACTIVE","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"}]}
            """
        let planSteps = """
            {"recoveryPlanSteps":[{"recoveryPlanStepArn":"\(Self.planArn)/step/1","stepOrder":1,"stepName":"s","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z",
            "configuration":{"serverStepConfiguration":{"servers":[{"serverArn":"arn:aws:drs:us-east-1:111122223333:source-server/s-0123456789abcdefA"}]}}}]}
            """
        let failing = ScriptedTransport(byOperation: { operation, attempt in
            switch operation {
            case "ListRecoveryPlans": return attempt == 1 ? Self.error(500, "InternalServerException") : ScriptedTransport.json(steps)
            case "ListRecoveryPlanSteps": return ScriptedTransport.json(planSteps)
            case "StartRecovery": return Self.error(500, "InternalServerException")
            default: return Self.error(400, "ValidationException")
            }
        })
        let provider = try Self.provider(failing)
        await #expect(throws: Problem.self) {
            _ = try await provider.createDrill(CreateDrillInput(name: "d", protectionGroupId: "rp-0123456789abcdefA"), context: CallContext(requestId: "r"))
        }
        #expect(failing.count("ListRecoveryPlans") == 2, "a read is retried after a 500")
        #expect(failing.count("StartRecovery") == 1, "a write that may have acted is not repeated")

        let throttled = ScriptedTransport(byOperation: { operation, attempt in
            switch operation {
            case "ListRecoveryPlans": return ScriptedTransport.json(steps)
            case "ListRecoveryPlanSteps": return ScriptedTransport.json(planSteps)
            case "StartRecovery":
                return attempt < 3
                    ? Self.error(429, "ThrottlingException")
                    : UpstreamResponse(status: 202, body: Array(#"{"job":{"jobID":"drsjob-0123456789abcdefA","status":"PENDING"}}"#.utf8))
            default: return Self.error(400, "ValidationException")
            }
        })
        let job = try await Self.provider(throttled).createDrill(
            CreateDrillInput(name: "d", protectionGroupId: "rp-0123456789abcdefA"), context: CallContext(requestId: "r"))
        #expect(throttled.count("StartRecovery") == 3)
        #expect(job.resource.id == "drsjob-0123456789abcdefA")
        let sent = try #require(throttled.sent.last { $0.operationName == "StartRecovery" })
        #expect(sent.url.hasSuffix("/StartRecovery"))
        #expect(sent.header("Authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") == true)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(sent.body)) as? [String: Any])
        #expect((body["tags"] as? [String: String])?["drgw:drill-name"] == "d")
    }

    @Test("a replayed create whose outcome is unknown adopts the tagged drill job instead of launching again")
    func reconcileAdopts() async throws {
        let transport = ScriptedTransport(byOperation: { operation, _ in
            switch operation {
            case "DescribeJobs":
                return ScriptedTransport.json("""
                    {"items":[{"jobID":"drsjob-0000000000000000A","initiatedBy":"START_DRILL","status":"STARTED",
                      "tags":{"drgw:drill-name":"d","drgw:protection-group":"rp-0123456789abcdefA"}}]}
                    """)
            default: return Self.error(500, "InternalServerException")
            }
        })
        let job = try await Self.provider(transport).createDrill(
            CreateDrillInput(name: "d", protectionGroupId: "rp-0123456789abcdefA"), context: CallContext(requestId: "r", reconcile: true))
        #expect(job.resource.id == "drsjob-0000000000000000A")
        #expect(transport.count("StartRecovery") == 0)
    }

    @Test("a launch job that completes with a failed server ends the operation failed, with DRS's reason")
    func failedLaunch() async throws {
        let transport = ScriptedTransport(byOperation: { operation, _ in
            switch operation {
            case "DescribeJobs":
                return ScriptedTransport.json("""
                    {"items":[{"jobID":"drsjob-0000000000000000A","initiatedBy":"START_DRILL","status":"COMPLETED",
                      "participatingServers":[{"sourceServerID":"s-0123456789abcdefA","launchStatus":"FAILED"}]}]}
                    """)
            case "DescribeJobLogItems":
                return ScriptedTransport.json(#"{"items":[{"event":"JOB_START"},{"event":"LAUNCH_FAILED","eventData":{"rawError":"InsufficientInstanceCapacity"}}]}"#)
            default: return Self.error(400, "ValidationException")
            }
        })
        let progress = try await Self.provider(transport).progress(
            of: UpstreamJob(kind: "drill.create", resource: ResourceReference(type: "drill", id: "drsjob-0000000000000000A"), token: ["jobId": "drsjob-0000000000000000A"]),
            context: CallContext(requestId: "r"))
        guard case .failed(let problem) = progress else {
            Issue.record("expected failed, got \(progress)")
            return
        }
        #expect(problem.providerMessage == "InsufficientInstanceCapacity")
        #expect(problem.detail.contains("s-0123456789abcdefA"))
    }

    @Test("create options: one of sourceServerIds / sourceServerTag, well formed, no other cloud's fields, DRS plan names")
    func groupOptions() throws {
        let provider = try Self.provider(ScriptedTransport([]))
        func errors(_ name: String, _ options: [String: String]?) -> [String] {
            var input = CreateProtectionGroupInput(name: name)
            input.providerOptions = options
            return provider.createProtectionGroupErrors(input).map(\.field)
        }
        #expect(errors("web", ["sourceServerTag": "Name=web"]).isEmpty)
        #expect(errors("web", ["sourceServerIds": "s-0123456789abcdefA, s-0123456789abcdefB"]).isEmpty)
        #expect(errors("web", nil) == ["providerOptions.sourceServerIds"])
        #expect(errors("web", ["sourceServerTag": "novalue"]) == ["providerOptions.sourceServerTag"])
        #expect(errors("web", ["sourceServerIds": "i-123"]) == ["providerOptions.sourceServerIds"])
        #expect(errors("web", ["sourceServerIds": "s-0123456789abcdefA", "sourceServerTag": "a=b"]) == ["providerOptions.sourceServerTag"])
        #expect(errors("web", ["sourceServerTag": "a=b", "subnet": "x"]) == ["providerOptions.subnet"])
        #expect(errors("web.tier", ["sourceServerTag": "a=b"]) == ["name"])
        #expect(errors("_web", ["sourceServerTag": "a=b"]) == ["name"])
    }
}
