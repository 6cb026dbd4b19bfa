import Foundation

/// A stable, client-visible error code of the unified API with its HTTP status.
public struct ProblemCode: Hashable, Sendable, CustomStringConvertible {
    /// The wire value of `code`, e.g. `invalid_request`.
    public let rawValue: String
    /// The HTTP status this code is answered with.
    public let status: Int
    /// The short human title.
    public let title: String

    public init(_ rawValue: String, status: Int, title: String) {
        self.rawValue = rawValue
        self.status = status
        self.title = title
    }

    public var description: String { rawValue }

    public static let invalidRequest = ProblemCode("invalid_request", status: 400, title: "Invalid request")
    public static let unauthenticated = ProblemCode("unauthenticated", status: 401, title: "Unauthenticated")
    public static let forbidden = ProblemCode("forbidden", status: 403, title: "Forbidden")
    public static let notFound = ProblemCode("not_found", status: 404, title: "Not found")
    public static let methodNotAllowed = ProblemCode("method_not_allowed", status: 405, title: "Method not allowed")
    public static let conflict = ProblemCode("conflict", status: 409, title: "Conflict")
    public static let idempotencyKeyInUse = ProblemCode("idempotency_key_in_use", status: 409, title: "Idempotency key in use")
    public static let payloadTooLarge = ProblemCode("payload_too_large", status: 413, title: "Payload too large")
    public static let unsupportedMediaType = ProblemCode("unsupported_media_type", status: 415, title: "Unsupported media type")
    public static let headersTooLarge = ProblemCode("headers_too_large", status: 431, title: "Request header fields too large")
    public static let idempotencyKeyReused = ProblemCode("idempotency_key_reused", status: 422, title: "Idempotency key reused")
    public static let rateLimited = ProblemCode("rate_limited", status: 429, title: "Rate limited")
    public static let internalError = ProblemCode("internal", status: 500, title: "Internal error")
    public static let notSupported = ProblemCode("not_supported", status: 501, title: "Not supported")
    public static let upstreamAuthFailed = ProblemCode("upstream_auth_failed", status: 502, title: "Upstream authentication failed")
    public static let upstreamError = ProblemCode("upstream_error", status: 502, title: "Upstream error")
    public static let upstreamUnavailable = ProblemCode("upstream_unavailable", status: 503, title: "Upstream unavailable")
    public static let upstreamTimeout = ProblemCode("upstream_timeout", status: 504, title: "Upstream timeout")
    /// The gateway's own store (SQLite file or shared PostgreSQL) cannot be reached: nothing was
    /// recorded, and the request is safe to repeat with the same Idempotency-Key.
    public static let storeUnavailable = ProblemCode("store_unavailable", status: 503, title: "Store unavailable")

    /// Every code of the contract, for look-ups by wire value.
    public static let all: [ProblemCode] = [
        .invalidRequest, .unauthenticated, .forbidden, .notFound, .methodNotAllowed, .conflict,
        .idempotencyKeyInUse, .payloadTooLarge, .unsupportedMediaType, .headersTooLarge, .idempotencyKeyReused,
        .rateLimited, .internalError, .notSupported, .upstreamAuthFailed, .upstreamError,
        .upstreamUnavailable, .upstreamTimeout, .storeUnavailable,
    ]

    /// The code for a wire value, if the contract has it.
    public static func named(_ rawValue: String) -> ProblemCode? {
        all.first { $0.rawValue == rawValue }
    }

    /// The code an unknown upstream error maps to, by its HTTP status.
    public static func forUpstreamStatus(_ status: Int) -> ProblemCode {
        switch status {
        case 400, 422: return .invalidRequest
        case 401: return .upstreamAuthFailed
        case 403: return .upstreamAuthFailed
        case 404: return .notFound
        case 405, 501: return .notSupported
        case 409: return .conflict
        case 408, 504: return .upstreamTimeout
        case 429: return .rateLimited
        case 503: return .upstreamUnavailable
        default: return .upstreamError
        }
    }
}

/// One invalid field of a request, listed in a problem's `errors`.
public struct FieldError: Codable, Hashable, Sendable {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// An RFC 9457 problem: the one error shape of the gateway, thrown anywhere and rendered at the edge.
///
extension Problem {
    /// True when this problem carries `code`: compare codes as values, never their wire strings.
    public func hasCode(_ code: ProblemCode) -> Bool { self.code == code.rawValue }
}

/// `description` names only the code and status so that no payload or secret reaches a log line.
public struct Problem: Error, Codable, Hashable, Sendable, CustomStringConvertible {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var code: String
    public var requestId: String?
    public var retryable: Bool
    public var provider: String?
    public var providerCode: String?
    public var providerMessage: String?
    public var providerRequestId: String?
    public var errors: [FieldError]?
    /// Seconds after which a retry makes sense (sent as `Retry-After`, not in the body).
    public var retryAfter: Int?

    public init(
        _ code: ProblemCode,
        detail: String,
        retryable: Bool? = nil,
        provider: String? = nil,
        providerCode: String? = nil,
        providerMessage: String? = nil,
        providerRequestId: String? = nil,
        errors: [FieldError]? = nil,
        retryAfter: Int? = nil
    ) {
        self.type = "https://drgw.dev/problems/\(code.rawValue.replacingOccurrences(of: "_", with: "-"))"
        self.title = code.title
        self.status = code.status
        self.detail = detail
        self.code = code.rawValue
        self.requestId = nil
        self.retryable = retryable ?? Problem.defaultRetryable(code)
        self.provider = provider
        self.providerCode = providerCode
        self.providerMessage = providerMessage
        self.providerRequestId = providerRequestId
        self.errors = errors
        self.retryAfter = retryAfter
    }

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, code, requestId, retryable, provider, providerCode
        case providerMessage, providerRequestId, errors
    }

    public var description: String { "Problem(\(code), status: \(status))" }

    /// The contract code of this problem.
    public var problemCode: ProblemCode {
        ProblemCode.named(code) ?? ProblemCode(code, status: status, title: title)
    }

    static func defaultRetryable(_ code: ProblemCode) -> Bool {
        switch code {
        case .rateLimited, .upstreamUnavailable, .upstreamTimeout, .upstreamError, .idempotencyKeyInUse, .storeUnavailable:
            return true
        default: return false
        }
    }

    /// A validation failure listing every bad field.
    public static func invalid(_ errors: [FieldError]) -> Problem {
        let names = errors.map(\.field).joined(separator: ", ")
        return Problem(.invalidRequest, detail: "The request has invalid fields: \(names).", errors: errors)
    }

    public static func notFound(_ what: String) -> Problem {
        Problem(.notFound, detail: "\(what) was not found.")
    }

    public static func notSupported(_ what: String, provider: String) -> Problem {
        Problem(.notSupported, detail: "\(what) is not supported by \(provider).", provider: provider)
    }
}
