import Crypto
import DRGWCore
import Foundation
import HTTPTypes
import Hummingbird

/// Bearer-key authentication for `/v1`: the key's SHA-256 is compared in constant time with
/// every configured hash (keys are never stored in clear), then the tenant's rate limit applies.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let tenants: [(hash: [UInt8], tenant: GatewayConfig.Tenant)]
    let limiter: RateLimiter

    init(tenants: [GatewayConfig.Tenant], limiter: RateLimiter) {
        self.tenants = tenants.flatMap { tenant in
            tenant.apiKeySha256.compactMap { hex in Self.bytes(fromHex: hex).map { ($0, tenant) } }
        }
        self.limiter = limiter
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.count > 7,
            header.prefix(7).lowercased() == "bearer "
        else {
            throw Problem(.unauthenticated, detail: "A bearer key is required (Authorization: Bearer <key>).")
        }
        let key = ASCIIText.trimmed(header.dropFirst(7))
        let digest = Array(SHA256.hash(data: Array(key.utf8)))
        var found: GatewayConfig.Tenant?
        for entry in tenants where Digest.constantTimeEquals(entry.hash, digest) {
            found = entry.tenant
        }
        guard let tenant = found else {
            throw Problem(.unauthenticated, detail: "The bearer key is not known.")
        }
        var context = context
        context.tenant = tenant
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
