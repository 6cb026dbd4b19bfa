import DRGWCore
import Foundation

extension HuaweiSDRSProvider {
    /// One SDRS call under `/v1/{project_id}`, signed anew on every attempt.
    ///
    /// Reads retry on retryable failures; writes retry only when the failure proves the
    /// request did not act (the connection was never made, or APIG refused it up front).
    func call(
        _ method: String, _ path: String, query: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        write: Bool, context: CallContext
    ) async throws -> UpstreamResponse {
        let caller = UpstreamCaller(
            provider: name, transport: transport, policy: RetryPolicy(limits: account.limits), clock: clock, unitRandom: unitRandom)
        let errors = tables.errors
        return try await caller.send(
            repeatable: !write,
            prepare: { prepare(method, path, query: query, body: body, context: context) },
            requestId: HuaweiErrorParser.requestId(of:),
            failure: { response in
                let problem = HuaweiErrorParser.problem(for: response, table: errors)
                return UpstreamCaller.Failure(
                    problem: problem,
                    mayRetry: problem.retryable && (!write || HuaweiErrorParser.provesNotExecuted(problem, table: errors)))
            })
    }

    /// Builds the signed (or token-carrying) request of one attempt.
    func prepare(
        _ method: String, _ path: String, query: [(name: String, value: String)], body: [UInt8]?, context: CallContext
    ) -> UpstreamRequest {
        let wirePath = "/v1/\(PercentEncoding.encode(projectId))\(path)"
        let queryString = HuaweiSigner.canonicalQuery(query)
        let url = baseURL + wirePath + (queryString.isEmpty ? "" : "?" + queryString)
        var headers: [(name: String, value: String)] = [
            ("Content-Type", body == nil ? "application/json" : "application/json;charset=UTF-8"),
            ("Host", hostHeader),
            ("X-Project-Id", projectId),
        ]
        if let traceparent = context.traceparent { headers.append(("traceparent", traceparent)) }
        if let signer {
            if let token = account.credentials.securityToken { headers.append(("X-Security-Token", token)) }
            headers = signer.sign(
                method: method, path: wirePath, query: query, headers: headers, body: body ?? [], date: clock())
        } else if let token = account.credentials.authToken {
            headers.append(("X-Auth-Token", token))
        }
        return UpstreamRequest(
            method: method, url: url, headers: headers, body: body ?? [],
            connectTimeout: account.limits.connectTimeout, timeout: account.limits.requestTimeout,
            maxResponseBytes: account.limits.maxResponseBytes)
    }

    /// Transport failures in contract terms.
    static func problem(for error: TransportError) -> Problem {
        UpstreamCaller.problem(for: error, provider: HuaweiSDRSPlugin.name)
    }

    /// Decodes a 2xx answer; an unreadable one is `upstream_error`.
    func decode<T: Decodable>(_ type: T.Type, from response: UpstreamResponse) throws -> T {
        do {
            return try SDRSJSON.decoder().decode(type, from: Data(response.body))
        } catch {
            throw unreadable(response)
        }
    }

    /// Decodes a 2xx answer of a type with a hand-written reader (drills, job references: every
    /// drill call), skipping `Codable`'s generic containers.
    func decode<T: Decodable & JSONReadable>(_ type: T.Type, from response: UpstreamResponse) throws -> T {
        do {
            return try T(json: JSONValue(parsing: response.body))
        } catch {
            throw unreadable(response)
        }
    }

    private func unreadable(_ response: UpstreamResponse) -> Problem {
        Problem(
            .upstreamError, detail: "huawei-sdrs sent an answer that could not be read.", provider: name,
            providerRequestId: HuaweiErrorParser.requestId(of: response))
    }

    /// JSON body bytes of a create or action.
    func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        Array(try SDRSJSON.encoder().encode(value))
    }

    /// Ids that go into paths: refuse anything unsafe before a call.
    func check(id: String, field: String) throws {
        let errors = Validation.idErrors(id, field: field)
        if !errors.isEmpty { throw Problem.invalid(errors) }
    }

    /// The unified offset cursor (a decimal offset).
    func offset(from cursor: String?) throws -> Int {
        guard let cursor, !cursor.isEmpty else { return 0 }
        guard let value = Int(cursor), value >= 0 else {
            throw Problem.invalid([FieldError(field: "cursor", message: "is not a cursor of this list")])
        }
        return value
    }

    func jobId(from response: UpstreamResponse) throws -> String {
        let job = try decode(SDRSWire.JobReference.self, from: response)
        return job.jobId
    }
}
