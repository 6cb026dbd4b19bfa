import DRGWCore
import Foundation

extension AWSDRSProvider {
    /// One DRS call, `POST /{operation}` with a JSON body, signed anew on every attempt.
    ///
    /// Reads retry on retryable failures; writes retry only when the failure proves the request
    /// did not act (the connection was never made, or DRS refused it before acting: throttling,
    /// a signature error).
    func call<Body: Encodable>(_ operation: String, _ body: Body, write: Bool, context: CallContext) async throws -> UpstreamResponse {
        let bytes: [UInt8]
        do { bytes = Array(try JSONEncoder().encode(body)) } catch {
            throw Problem(.internalError, detail: "The \(operation) request could not be encoded.", provider: name)
        }
        let caller = UpstreamCaller(
            provider: name, transport: transport, policy: RetryPolicy(limits: account.limits), clock: clock, unitRandom: unitRandom)
        let errors = tables.errors
        return try await caller.send(
            repeatable: !write,
            prepare: { prepare(operation, body: bytes, context: context) },
            requestId: AWSErrorParser.requestId(of:),
            failure: { response in
                let problem = AWSErrorParser.problem(for: response, table: errors)
                return UpstreamCaller.Failure(
                    problem: problem,
                    mayRetry: problem.retryable && (!write || AWSErrorParser.provesNotExecuted(problem, table: errors)),
                    retryAfter: problem.retryAfter.map(Double.init))
            })
    }

    /// Calls and decodes the 2xx answer; an unreadable one is `upstream_error`.
    func call<Body: Encodable, Answer: Decodable>(
        _ operation: String, _ body: Body, as answer: Answer.Type, write: Bool, context: CallContext
    ) async throws -> Answer {
        let response = try await call(operation, body, write: write, context: context)
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(response.body))
        } catch {
            throw Problem(
                .upstreamError, detail: "aws-drs sent a \(operation) answer that could not be read.", provider: name,
                providerRequestId: AWSErrorParser.requestId(of: response))
        }
    }

    /// Builds the signed request of one attempt.
    func prepare(_ operation: String, body: [UInt8], context: CallContext) -> UpstreamRequest {
        let path = "/" + operation
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"),
            ("Host", hostHeader),
        ]
        if let traceparent = context.traceparent { headers.append(("traceparent", traceparent)) }
        headers = signer.sign(method: "POST", path: path, query: [], headers: headers, body: body, date: clock())
        return UpstreamRequest(
            method: "POST", url: baseURL + path, headers: headers, body: body,
            connectTimeout: account.limits.connectTimeout, timeout: account.limits.requestTimeout,
            maxResponseBytes: account.limits.maxResponseBytes, operationName: operation)
    }

    /// Ids that go into requests: refuse anything unsafe before a call.
    func check(id: String, field: String) throws {
        let errors = Validation.idErrors(id, field: field)
        if !errors.isEmpty { throw Problem.invalid(errors) }
    }

    /// Reads a DRS list page by page: `page` gets each `nextToken` (nil first) and returns the next
    /// one, or nil to stop; at most `maxPages` pages.
    func paginate(maxPages: Int = 100, _ page: (String?) async throws -> String?) async throws {
        var token: String?
        for _ in 0..<maxPages {
            guard let next = try await page(token), !next.isEmpty else { return }
            token = next
        }
    }

    /// The unified cursor is DRS's own `nextToken`, passed through.
    func token(from cursor: String?) -> String? {
        guard let cursor, !cursor.isEmpty else { return nil }
        return cursor
    }
}
