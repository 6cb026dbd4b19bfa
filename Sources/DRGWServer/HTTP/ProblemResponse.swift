import DRGWCore
import DRGWStore
import Foundation
import HTTPTypes
import Hummingbird

/// Renders problems and JSON bodies.
enum ProblemResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return encoder
    }()

    /// A problem as `application/problem+json` with `Retry-After` when set.
    static func response(_ problem: Problem, requestId: String, extraHeaders: HTTPFields = [:]) -> Response {
        var problem = problem
        problem.requestId = requestId
        let body = (try? encoder.encode(problem)) ?? Data("{\"code\":\"internal\"}".utf8)
        var headers = extraHeaders
        headers[.contentType] = "application/problem+json"
        if let retryAfter = problem.retryAfter {
            headers[.retryAfter] = String(retryAfter)
        } else if problem.status == 503 || problem.status == 429 {
            headers[.retryAfter] = "5"  // every "try later" says when
        }
        if problem.status == 401 { headers[.wwwAuthenticate] = #"Bearer realm="drgw""# }
        return Response(
            status: .init(code: problem.status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }

    /// A JSON body with a status.
    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let body = (try? encoder.encode(value)) ?? Data("{}".utf8)
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// A JSON body of a value that writes its own JSON (same bytes as the encoder, less work).
    static func json<T: Encodable & JSONWritable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: value.jsonBytes)))
    }

    /// Maps any error to the problem a caller sees; never leaks internals.
    static func problem(for error: any Error) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let limited as RateLimitedProblem:
            return limited.problem
        case is MethodNotAllowed:
            return Problem(.methodNotAllowed, detail: "The method is not allowed on this route.")
        case let error as HTTPError:
            switch error.status.code {
            case 404: return Problem(.notFound, detail: "No such route.")
            case 405: return Problem(.methodNotAllowed, detail: "The method is not allowed on this route.")
            case 413: return Problem(.payloadTooLarge, detail: "The request body is too large.")
            case 400: return Problem(.invalidRequest, detail: "The request is malformed.")
            default:
                let code = ProblemCode.all.first { $0.status == error.status.code } ?? .internalError
                return Problem(code, detail: code.title + ".")
            }
        case let error as TransportError:
            switch error.code {
            case .connectFailed: return Problem(.upstreamUnavailable, detail: "The provider could not be reached.")
            case .timedOut: return Problem(.upstreamTimeout, detail: "The provider did not answer in time.")
            default: return Problem(.upstreamError, detail: "The provider's answer could not be read.")
            }
        case is CancellationError:
            // The request was cancelled before the provider answered: the gateway is stopping (past
            // `server.drainSeconds`). Not the gateway's fault, and safe to retry with the same key.
            return Problem(
                .upstreamUnavailable, detail: "The gateway stopped before the provider answered. Retry with the same Idempotency-Key.",
                retryAfter: 1)
        case is StoreUnavailable:
            return Problem(
                .storeUnavailable, detail: "The gateway's store cannot be reached; nothing was recorded. Retry with the same Idempotency-Key.",
                retryAfter: 2)
        default:
            return Problem(.internalError, detail: "An internal error occurred.")
        }
    }
}
