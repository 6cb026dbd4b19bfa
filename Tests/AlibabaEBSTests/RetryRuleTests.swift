import AlibabaEBS
import DRGWCore
import DRGWTesting
import Foundation
import Synchronization
import Testing

@Suite struct RetryRuleTests {
    static let drillId = OpaqueID.encode(prefix: "adrill", parts: ["pair", "pair-1", "drill-1"])

    static func provider(_ transport: ScriptedTransport, signature: String = "v3", token: String? = nil) throws -> AlibabaEBSProvider {
        try AlibabaEBSProvider(
            account: AccountSettings(
                id: "a", provider: "alibaba-ebs", region: "cn-shanghai", options: ["signature": signature],
                credentials: Credentials(accessKey: "AK", secretKey: "SK", securityToken: token),
                limits: UpstreamLimits(maxAttempts: 4, retryBudgetSeconds: 5, baseBackoff: 0.001)),
            transport: transport)
    }

    static func clear(failingWith error: TransportError) -> ScriptedTransport {
        ScriptedTransport { action, attempt in
            switch action {
            case "DescribePairDrills": return ScriptedTransport.drills
            case "DescribeDiskReplicaPairs": return ScriptedTransport.pairs
            case "ClearPairDrill":
                if attempt == 1 { throw error }
                return ScriptedTransport.json(#"{"RequestId":"r"}"#)
            default: return ScriptedTransport.json(#"{"Code":"InvalidAction.NotFound"}"#, status: 404)
            }
        }
    }

    @Test func unsafeWriteIsResentOnlyWhenItNeverLeft() async throws {
        let neverSent = Self.clear(failingWith: TransportError(.connectFailed))
        _ = try await Self.provider(neverSent).deleteDrill(id: Self.drillId, context: CallContext(requestId: "x"))
        #expect(neverSent.count("ClearPairDrill") == 2)

        let maybeSent = Self.clear(failingWith: TransportError(.reset))
        let failure = await problem { _ = try await Self.provider(maybeSent).deleteDrill(id: Self.drillId, context: CallContext(requestId: "x")) }
        #expect(failure?.code == "upstream_error")
        #expect(maybeSent.count("ClearPairDrill") == 1)

        let timedOut = Self.clear(failingWith: TransportError(.timedOut))
        let timeout = await problem { _ = try await Self.provider(timedOut).deleteDrill(id: Self.drillId, context: CallContext(requestId: "x")) }
        #expect(timeout?.code == "upstream_timeout" && timeout?.status == 504)
        #expect(timedOut.count("ClearPairDrill") == 1)
    }

    @Test(arguments: [(TransportError.Code.connectFailed, "upstream_unavailable"), (.timedOut, "upstream_timeout"), (.reset, "upstream_error"), (.tls, "upstream_error")])
    func readsRetryTransportFailuresThenMapThem(code: TransportError.Code, expected: String) async throws {
        let transport = ScriptedTransport { _, _ in throw TransportError(code) }
        let failure = await problem { _ = try await Self.provider(transport).protectionGroup(id: "pair-1", context: CallContext(requestId: "x")) }
        #expect(failure?.code == expected)
        #expect(transport.count("DescribeDiskReplicaPairs") == 4)
    }

    @Test func clientTokenIsGeneratedOncePerLogicalRequestAndStsIsSent() async throws {
        let tokens = Mutex<[String]>([])
        let securityTokens = Mutex<[String]>([])
        let transport = ScriptedTransport { action, attempt in
            switch action {
            case "DescribeDiskReplicaPairs": return ScriptedTransport.pairs
            case "StopDiskReplicaPair":
                return attempt < 3
                    ? ScriptedTransport.json(#"{"RequestId":"r","Code":"ServiceUnavailable","Message":"x"}"#, status: 503)
                    : ScriptedTransport.json(#"{"RequestId":"r"}"#)
            default: return ScriptedTransport.json(#"{"Code":"InvalidAction.NotFound"}"#, status: 404)
            }
        }
        let recording = RecordingTransport(inner: transport) { request in
            if let token = PercentEncoding.parseQuery(String(request.url.split(separator: "?").last ?? "")).first(where: { $0.name == "ClientToken" }) {
                tokens.withLock { $0.append(token.value) }
            }
            securityTokens.withLock { $0.append(request.header("x-acs-security-token") ?? "-") }
        }
        let provider = try AlibabaEBSProvider(
            account: AccountSettings(
                id: "a", provider: "alibaba-ebs", region: "cn-shanghai",
                credentials: Credentials(accessKey: "AK", secretKey: "SK", securityToken: "STS-TOKEN"),
                limits: UpstreamLimits(maxAttempts: 4, retryBudgetSeconds: 5, baseBackoff: 0.001)),
            transport: recording)
        _ = try await provider.perform(.stop, onProtectionGroup: "pair-1", input: ActionInput(), context: CallContext(requestId: "x"))
        let sent = tokens.withLock { $0 }
        #expect(sent.count == 3 && Set(sent).count == 1 && sent[0].count <= 64)
        _ = try await provider.perform(.stop, onProtectionGroup: "pair-1", input: ActionInput(), context: CallContext(requestId: "y"))
        #expect(Set(tokens.withLock { $0 }).count == 2)
        let long = String(repeating: "k", count: 100)
        _ = try await provider.perform(.stop, onProtectionGroup: "pair-1", input: ActionInput(), context: CallContext(requestId: "z", clientToken: long))
        #expect(tokens.withLock { $0 }.last == Digest.sha256Hex(long))
        _ = try await provider.perform(.stop, onProtectionGroup: "pair-1", input: ActionInput(), context: CallContext(requestId: "z", clientToken: "key-1"))
        #expect(tokens.withLock { $0 }.last == "key-1")
        #expect(securityTokens.withLock { $0 }.allSatisfy { $0 == "STS-TOKEN" })
    }

    @Test func throttlingWaitsAsToldAndAuthFailuresAreNotRetried() async throws {
        let throttled = ScriptedTransport { _, attempt in
            attempt == 1
                ? UpstreamResponse(status: 400, headers: [("x-acs-retry-after", "50")], body: Array(#"{"RequestId":"t","Code":"Throttling.User","Message":"m"}"#.utf8))
                : ScriptedTransport.pairs
        }
        #expect(try await Self.provider(throttled).protectionGroup(id: "pair-1", context: CallContext(requestId: "x")).id == "pair-1")
        #expect(throttled.count("DescribeDiskReplicaPairs") == 2)

        let refused = ScriptedTransport { _, _ in
            ScriptedTransport.json(#"{"RequestId":"a","Code":"InvalidAccessKeyId.NotFound","Message":"Specified access key is not found."}"#, status: 404)
        }
        let failure = await problem { _ = try await Self.provider(refused).protectionGroup(id: "pair-1", context: CallContext(requestId: "x")) }
        #expect(failure?.code == "upstream_auth_failed" && failure?.providerRequestId == "a")
        #expect(refused.count("DescribeDiskReplicaPairs") == 1)
    }
}
