import DRGWCore

/// Wraps a transport to look at each request before it is sent.
struct RecordingTransport: HTTPTransport {
    let inner: any HTTPTransport
    let observe: @Sendable (HTTPRequest) -> Void

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        observe(request)
        return try await inner.send(request)
    }
}
