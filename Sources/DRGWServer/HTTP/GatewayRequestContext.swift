import Foundation
import Hummingbird
import Logging

/// Per-request state: request id, the authenticated tenant, and the start time.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// `X-Request-Id` of this exchange (the client's when sane, else generated).
    public var requestId: String
    /// The tenant, once the bearer key is checked.
    public var tenant: GatewayConfig.Tenant?
    /// The largest body the gateway reads.
    public var maxBodyBytes: Int
    /// The peer's IP address (`unknown` when the channel has none), for throttling failed authentication.
    public var clientAddress: String
    /// Tenant and account for the request's log line.
    public let logFields = RequestLogFields()

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestId = ""
        self.tenant = nil
        self.maxBodyBytes = 64 * 1024
        self.clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    public var maxUploadSize: Int { maxBodyBytes }
}
