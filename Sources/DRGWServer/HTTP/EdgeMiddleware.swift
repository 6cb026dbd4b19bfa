import DRGWCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics

/// The outermost middleware: assigns `X-Request-Id`, renders every error as problem+json,
/// logs one line per request and counts requests for `/metrics`.
struct EdgeMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let maxBodyBytes: Int
    /// Which accounts' upstreams fail now (this gateway's view).
    let health = UpstreamHealthLog()
    /// The stage-timing diagnostic, when on.
    var stages: StageTimings?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let stages, let trace = stages.take(request.headers[.stageTrace]) else {
            return try await serve(request, context: context, next: next)
        }
        trace.mark(.handlerEntered)
        let response = try await StageTrace.$current.withValue(trace) {
            try await serve(request, context: context, next: next)
        }
        trace.mark(.responseReady)
        return response
    }

    private func serve(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.requestId = Self.requestId(from: request.headers[.requestId])
        context.maxBodyBytes = maxBodyBytes
        context.logger[metadataKey: "request_id"] = .string(context.requestId)
        let start = ContinuousClock.now
        var response: Response
        var failure: Problem?
        do {
            response = try await next(request, context)
        } catch let caught {
            var error = caught
            if let http = error as? HTTPError, http.status == .notFound,
                let allow = MethodGuard.allow(forPath: request.uri.path, method: request.method)
            {
                error = MethodNotAllowed(allow: allow)
            }
            let problem = ProblemResponse.problem(for: error)
            failure = problem
            if problem.status >= 500, !(error is Problem) {
                context.logger.error("request failed", metadata: ["error": .string(String(describing: type(of: error)))])
            }
            var headers: HTTPFields = [:]
            if problem.hasCode(.methodNotAllowed), let allow = (error as? MethodNotAllowed)?.allow {
                headers[.allow] = allow
            }
            if let limited = error as? RateLimitedProblem {
                for (name, value) in limited.headers { headers[name] = value }
            }
            response = ProblemResponse.response(problem, requestId: context.requestId, extraHeaders: headers)
        }
        response.headers[.requestId] = context.requestId
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let route = context.endpointPath ?? "unmatched"
        RequestMetrics.shared.record(method: request.method.rawValue, route: route, status: Int(response.status.code), seconds: seconds)
        let fields = context.logFields.all
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue), "path": .string(request.uri.path),
            "status": .stringConvertible(response.status.code),
            "duration_ms": .string(Self.milliseconds(seconds)),
        ]
        for (key, value) in fields { metadata[key] = .string(value) }
        if let failure { metadata["code"] = .string(failure.code) }
        if let operation = Self.operationId(response: response, path: request.uri.path) { metadata["operation"] = .string(operation) }
        context.logger.info("request", metadata: metadata)
        if let account = fields["account"] { noteUpstreamHealth(account: account, failure: failure, logger: context.logger) }
        return response
    }

    /// The operation a request started or read: from `Location`, or the path of an operation GET.
    static func operationId(response: Response, path: String) -> String? {
        let prefix = "/v1/operations/"
        if let location = response.headers[.location], location.hasPrefix(prefix) { return String(location.dropFirst(prefix.count)) }
        if path.hasPrefix(prefix) { return String(path.dropFirst(prefix.count)) }
        return nil
    }

    /// Logs an account's upstream starting to fail (or failing differently) and answering again,
    /// once per change, with what an operator needs to look it up at the cloud.
    func noteUpstreamHealth(account: String, failure: Problem?, logger: Logger) {
        if let failure, failure.provider != nil, failure.status >= 502 || failure.hasCode(.upstreamAuthFailed) {
            guard health.failed(account: account, code: failure.code) else { return }
            var metadata: Logger.Metadata = [
                "account": .string(account), "provider": .string(failure.provider ?? ""), "code": .string(failure.code),
            ]
            if let code = failure.providerCode { metadata["provider_code"] = .string(code) }
            if let id = failure.providerRequestId { metadata["provider_request_id"] = .string(id) }
            logger.warning("upstream failing", metadata: metadata)
        } else if failure == nil || failure?.provider != nil, health.answered(account: account) {
            logger.notice("upstream answering again", metadata: ["account": .string(account)])
        }
    }

    /// `seconds` as milliseconds with two decimals (`12.34`), without Foundation's `String(format:)`.
    static func milliseconds(_ seconds: Double) -> String {
        let hundredths = Int((max(0, seconds) * 100_000).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// The client's id when it is 1–128 characters of `[A-Za-z0-9._:-]`, else a new one.
    static func requestId(from header: String?) -> String {
        if let header, !header.isEmpty, header.utf8.count <= 128,
            header.utf8.allSatisfy({ b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x2E
                    || b == 0x5F || b == 0x3A
            })
        {
            return header
        }
        return RandomID.uuid()
    }
}

/// Thrown by the catch-all routes of a known path with another method.
struct MethodNotAllowed: Error {
    var allow: String
}

extension HTTPField.Name {
    static let requestId = Self("X-Request-Id")!
    static let idempotencyKey = Self("Idempotency-Key")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
    static let prefer = Self("Prefer")!
    static let preferenceApplied = Self("Preference-Applied")!
    static let rateLimit = Self("RateLimit")!
    static let rateLimitPolicy = Self("RateLimit-Policy")!
    static let traceparent = Self("traceparent")!
}
