import DRGWCore
import Foundation

/// Sends signed RPC calls to the EBS API with retries.
///
/// Every attempt is signed anew (new date and nonce); the parameters, and so the
/// `ClientToken`, stay the same across the retries of one call.
struct AlibabaRPCClient: Sendable {
    /// How safe it is to send a call again when its outcome is unknown.
    enum Safety: Sendable {
        /// A `Describe*` call.
        case read
        /// A write carrying a `ClientToken`: the server deduplicates it.
        case clientToken
        /// A write without a token (`Clear*Drill`): resent only when it surely never arrived, or on throttling.
        case unsafe
    }

    static let version = "2021-07-30"

    let account: AccountSettings
    let transport: any HTTPTransport
    let policy: RetryPolicy
    let useV1: Bool
    let v3: AlibabaV3Signer
    let v1: AlibabaV1Signer
    /// Injected for tests; `Date()` and a UUID in production.
    let clock: @Sendable () -> Date
    let makeNonce: @Sendable () -> String

    init(
        account: AccountSettings, transport: any HTTPTransport, clock: @escaping @Sendable () -> Date = { Date() },
        makeNonce: @escaping @Sendable () -> String = { RandomID.uuid() }
    ) throws {
        guard let accessKey = account.credentials.accessKey, let secretKey = account.credentials.secretKey else {
            throw Problem(.upstreamAuthFailed, detail: "The alibaba-ebs account \(account.id) has no access key or secret key.")
        }
        self.account = account
        self.transport = transport
        self.policy = RetryPolicy(limits: account.limits)
        self.useV1 = (account.signature ?? "v3").lowercased() == "v1"
        self.v3 = AlibabaV3Signer(accessKeyId: accessKey, accessKeySecret: secretKey, securityToken: account.credentials.securityToken)
        self.v1 = AlibabaV1Signer(accessKeyId: accessKey, accessKeySecret: secretKey, securityToken: account.credentials.securityToken)
        self.clock = clock
        self.makeNonce = makeNonce
    }

    /// The base URL for a region: the account's endpoint when configured (every region then
    /// goes through it), else `https://ebs.{region}.aliyuncs.com`.
    func baseURL(region: String) -> String {
        if let endpoint = account.endpoint, !endpoint.isEmpty {
            return endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        }
        return "https://ebs.\(region).aliyuncs.com"
    }

    /// The `Host` header for a base URL (with the port when one is given).
    static func hostHeader(_ base: String) -> String {
        guard let components = URLComponents(string: base), let host = components.host else { return base }
        if let port = components.port { return "\(host):\(port)" }
        return host
    }

    /// Builds one signed attempt.
    func request(action: String, parameters: [(name: String, value: String)], region: String, context: CallContext) -> UpstreamRequest {
        let base = baseURL(region: region)
        let host = Self.hostHeader(base)
        let date = clock()
        let nonce = makeNonce()
        var headers: [(name: String, value: String)]
        let query: String
        if useV1 {
            let signed = v1.sign(method: "POST", action: action, version: Self.version, parameters: parameters, date: date, nonce: nonce)
            query = AlibabaV1Signer.canonicalizedQuery(signed)
            headers = [("host", host), ("accept", "application/json")]
        } else {
            query = AlibabaV3Signer.canonicalQueryString(parameters)
            headers = v3.sign(
                method: "POST", host: host, action: action, version: Self.version, query: parameters,
                extraHeaders: [("accept", "application/json")], date: date, nonce: nonce)
        }
        if let traceparent = context.traceparent { headers.append(("traceparent", traceparent)) }
        return UpstreamRequest(
            method: "POST", url: base + "/" + (query.isEmpty ? "" : "?" + query), headers: headers, body: [],
            connectTimeout: account.limits.connectTimeout, timeout: account.limits.requestTimeout,
            maxResponseBytes: account.limits.maxResponseBytes, operationName: action)
    }

    /// Sends a call (retrying as `safety` allows) and decodes the 2xx answer.
    func call<T: Decodable>(
        _ action: String, _ parameters: [(name: String, value: String)], region: String, safety: Safety,
        context: CallContext, as type: T.Type
    ) async throws -> T {
        let body = try await send(action, parameters, region: region, safety: safety, context: context)
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch {
            throw Problem(.upstreamError, detail: "alibaba-ebs answered \(action) with a body that could not be read.", provider: "alibaba-ebs")
        }
    }

    /// Sends a call and returns the 2xx body.
    func send(
        _ action: String, _ parameters: [(name: String, value: String)], region: String, safety: Safety, context: CallContext
    ) async throws -> [UInt8] {
        let caller = UpstreamCaller(provider: AlibabaEBSPlugin.name, transport: transport, policy: policy, clock: clock)
        let response = try await caller.send(
            repeatable: safety != .unsafe,
            prepare: { request(action: action, parameters: parameters, region: region, context: context) },
            requestId: Self.requestId(of:),
            failure: { response in
                let problem = AlibabaErrorBody.problem(status: response.status, headers: response.headers, body: response.body)
                let throttled = problem.providerCode?.hasPrefix("Throttling") == true
                // "The last token request is processing": the first copy needs time, not a quick re-send.
                return UpstreamCaller.Failure(
                    problem: problem, mayRetry: problem.retryable && (safety != .unsafe || throttled),
                    retryAfter: problem.retryAfter.map(Double.init) ?? (problem.providerCode == "LastTokenProcessing" ? 1 : nil))
            })
        return response.body
    }

    /// Transport failures in the contract's terms.
    static func problem(for error: TransportError) -> Problem {
        UpstreamCaller.problem(for: error, provider: AlibabaEBSPlugin.name)
    }
}
