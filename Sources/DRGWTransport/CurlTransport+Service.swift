import ServiceLifecycle

extension CurlTransport: Service {
    /// Runs until graceful shutdown (or cancellation), then shuts the transport down.
    public func run() async throws {
        try? await gracefulShutdown()
        shutdown()
    }
}
