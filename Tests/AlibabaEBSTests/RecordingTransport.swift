import DRGWCore

/// Wraps a transport to look at each request before it is sent.
struct RecordingTransport: HTTPTransport {
    let inner: any HTTPTransport
    let observe: @Sendable (UpstreamRequest) -> Void

    func send(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        observe(request)
        return try await inner.send(request)
    }
}
