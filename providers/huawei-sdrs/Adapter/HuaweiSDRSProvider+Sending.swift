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
    ) async throws -> HTTPResponse {
        let policy = RetryPolicy(limits: account.limits)
        let started = clock()
        var attempt = 0
        while true {
            attempt += 1
            let request = prepare(method, path, query: query, body: body, context: context)
            let failure: Problem
            let response: HTTPResponse
            do {
                response = try await transport.send(request)
            } catch let error as TransportError {
                let problem = Self.problem(for: error)
                if !(write ? error.requestNeverSent : problem.retryable) { throw problem }
                failure = problem
                if let wait = backoff(policy, attempt: attempt, started: started, failure: failure) {
                    try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
                    continue
                }
                throw failure
            }
            UpstreamRequestIDs.record(HuaweiErrorParser.requestId(of: response))
            if (200..<300).contains(response.status) { return response }
            failure = HuaweiErrorParser.problem(for: response, table: tables.errors)
            let mayRetry = failure.retryable && (!write || HuaweiErrorParser.provesNotExecuted(failure, table: tables.errors))
            if !mayRetry { throw failure }
            guard let wait = backoff(policy, attempt: attempt, started: started, failure: failure) else { throw failure }
            try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
        }
    }

    private func backoff(_ policy: RetryPolicy, attempt: Int, started: Date, failure: Problem) -> Double? {
        let wait = policy.delay(
            afterAttempt: attempt, elapsed: clock().timeIntervalSince(started),
            retryAfter: failure.retryAfter.map(Double.init), unitRandom: unitRandom())
        if wait != nil { UpstreamRetryMetric.record(provider: HuaweiSDRSPlugin.name) }
        return wait
    }

    /// Builds the signed (or token-carrying) request of one attempt.
    func prepare(
        _ method: String, _ path: String, query: [(name: String, value: String)], body: [UInt8]?, context: CallContext
    ) -> HTTPRequest {
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
        return HTTPRequest(
            method: method, url: url, headers: headers, body: body ?? [],
            connectTimeout: account.limits.connectTimeout, timeout: account.limits.requestTimeout,
            maxResponseBytes: account.limits.maxResponseBytes)
    }

    /// Transport failures in contract terms.
    static func problem(for error: TransportError) -> Problem {
        switch error.code {
        case .connectFailed:
            return Problem(.upstreamUnavailable, detail: "huawei-sdrs could not be reached.", provider: HuaweiSDRSPlugin.name)
        case .timedOut:
            return Problem(.upstreamTimeout, detail: "huawei-sdrs did not answer in time.", provider: HuaweiSDRSPlugin.name)
        default:
            return Problem(
                .upstreamError, detail: "The exchange with huawei-sdrs failed (\(error.code.rawValue)).",
                provider: HuaweiSDRSPlugin.name)
        }
    }

    /// Decodes a 2xx answer; an unreadable one is `upstream_error`.
    func decode<T: Decodable>(_ type: T.Type, from response: HTTPResponse) throws -> T {
        do {
            return try SDRSJSON.decoder().decode(type, from: Data(response.body))
        } catch {
            throw unreadable(response)
        }
    }

    /// Decodes a 2xx answer of a type with a hand-written reader (drills, job references: every
    /// drill call), skipping `Codable`'s generic containers.
    func decode<T: Decodable & JSONReadable>(_ type: T.Type, from response: HTTPResponse) throws -> T {
        do {
            return try T(json: JSONValue(parsing: response.body))
        } catch {
            throw unreadable(response)
        }
    }

    private func unreadable(_ response: HTTPResponse) -> Problem {
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

    func jobId(from response: HTTPResponse) throws -> String {
        let job = try decode(SDRSWire.JobReference.self, from: response)
        return job.jobId
    }
}
