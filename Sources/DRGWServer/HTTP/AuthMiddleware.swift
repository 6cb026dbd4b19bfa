import Crypto
import DRGWCore
import Foundation
import HTTPTypes
import Hummingbird

/// Bearer-key authentication for `/v1`: the key's SHA-256 is compared in constant time with
/// every configured hash (keys are never stored in clear), then the tenant's rate limit applies.
/// Failed attempts are throttled per client address (`failures`): past its budget a client gets
/// 429 instead of 401, so keys cannot be guessed at line rate.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let tenants: [(hash: [UInt8], tenant: GatewayConfig.Tenant)]
    let limiter: RateLimiter
    let failures: RateLimiter

    init(tenants: [GatewayConfig.Tenant], limiter: RateLimiter, failures: RateLimiter) {
        self.tenants = tenants.flatMap { tenant in
            tenant.apiKeySha256.compactMap { hex in Self.bytes(fromHex: hex).map { ($0, tenant) } }
        }
        self.limiter = limiter
        self.failures = failures
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.utf8.count > 7,
            HeaderName.equal(String(decoding: header.utf8.prefix(7), as: UTF8.self), "bearer ")
        else {
            throw refusal(Problem(.unauthenticated, detail: "A bearer key is required (Authorization: Bearer <key>)."), context)
        }
        let key = ASCIIText.trimmed(header.dropFirst(7))
        let digest = Array(SHA256.hash(data: Array(key.utf8)))
        var found: GatewayConfig.Tenant?
        for entry in tenants where Digest.constantTimeEquals(entry.hash, digest) {
            found = entry.tenant
        }
        guard let tenant = found else {
            throw refusal(Problem(.unauthenticated, detail: "The bearer key is not known."), context)
        }
        var context = context
        context.tenant = tenant
        context.logFields.set("tenant", tenant.name)
        context.logger[metadataKey: "tenant"] = .string(tenant.name)
        let decision = limiter.take(tenant: tenant.name, now: Date())
        guard decision.allowed else {
            var problem = Problem(.rateLimited, detail: "The tenant's request rate limit is exhausted.", retryable: true)
            problem.retryAfter = decision.retryAfterSeconds
            throw RateLimitedProblem(problem: problem, headers: decision.headers)
        }
        var response = try await next(request, context)
        for (name, value) in decision.headers { response.headers[name] = value }
        return response
    }

    /// The 401 for a failed attempt, or a 429 once the client address has used up its failures.
    private func refusal(_ unauthenticated: Problem, _ context: Context) -> any Error {
        let decision = failures.take(tenant: context.clientAddress, now: Date())
        guard !decision.allowed else { return unauthenticated }
        var problem = Problem(.rateLimited, detail: "Too many failed authentication attempts from this address.", retryable: true)
        problem.retryAfter = decision.retryAfterSeconds
        return RateLimitedProblem(problem: problem, headers: decision.headers)
    }

    static func bytes(fromHex hex: String) -> [UInt8]? {
        guard hex.count == 64 else { return nil }
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            out.append(byte)
            index = next
        }
        return out
    }
}

/// A 429 that carries `RateLimit` headers to the edge.
struct RateLimitedProblem: Error {
    var problem: Problem
    var headers: [(HTTPField.Name, String)]
}
