import Foundation

/// Sends one logical call to a cloud: each attempt is built (and signed) anew, a failed answer is
/// read by the adapter, retries follow `RetryPolicy` with jitter, and transport failures become
/// the same problems for every cloud. Adapters supply what differs: how to build an attempt, how
/// to read an error answer, and whether the call may be repeated.
public struct UpstreamCaller: Sendable {
    /// What a non-2xx answer means.
    public struct Failure: Sendable {
        public var problem: Problem
        /// The answer proves the call may be sent again (the adapter's rules: a retryable error
        /// on a repeatable call, or one that proves the write did not act).
        public var mayRetry: Bool
        /// Seconds the cloud asked to wait, or a wait the adapter knows the error needs.
        public var retryAfter: Double?

        public init(problem: Problem, mayRetry: Bool, retryAfter: Double? = nil) {
            self.problem = problem
            self.mayRetry = mayRetry
            self.retryAfter = retryAfter ?? problem.retryAfter.map(Double.init)
        }
    }

    public let provider: String
    public let transport: any HTTPTransport
    public let policy: RetryPolicy
    public let clock: @Sendable () -> Date
    public let unitRandom: @Sendable () -> Double

    public init(
        provider: String, transport: any HTTPTransport, policy: RetryPolicy, clock: @escaping @Sendable () -> Date = { Date() },
        unitRandom: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) {
        self.provider = provider
        self.transport = transport
        self.policy = policy
        self.clock = clock
        self.unitRandom = unitRandom
    }

    /// Sends attempts until a 2xx answer (returned), a failure that may not be retried, or the
    /// policy's attempts or time budget run out (the last problem is thrown).
    /// - Parameters:
    ///   - repeatable: the call may be sent twice without harm (a read, or a write with a client
    ///     token); otherwise a transport failure is retried only when the request was never sent.
    ///   - prepare: builds and signs one attempt.
    ///   - requestId: the cloud's request id of an answer, recorded for drill evidence.
    ///   - failure: reads a non-2xx answer.
    public func send(
        repeatable: Bool, prepare: () -> UpstreamRequest, requestId: (UpstreamResponse) -> String?,
        failure: (UpstreamResponse) -> Failure
    ) async throws -> UpstreamResponse {
        let started = clock()
        var attempt = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            let outcome: Failure
            do {
                let response = try await transport.send(prepare())
                UpstreamRequestIDs.record(requestId(response))
                if (200..<300).contains(response.status) { return response }
                outcome = failure(response)
            } catch let error as TransportError {
                if error.code == .cancelled { throw CancellationError() }
                let problem = Self.problem(for: error, provider: provider)
                outcome = Failure(problem: problem, mayRetry: repeatable ? problem.retryable : error.requestNeverSent)
            }
            guard outcome.mayRetry,
                let wait = policy.delay(
                    afterAttempt: attempt, elapsed: clock().timeIntervalSince(started), retryAfter: outcome.retryAfter,
                    unitRandom: unitRandom())
            else { throw outcome.problem }
            UpstreamRetryMetric.record(provider: provider)
            try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
        }
    }

    /// A transport failure in the contract's terms, the same for every cloud.
    public static func problem(for error: TransportError, provider: String) -> Problem {
        switch error.code {
        case .connectFailed:
            return Problem(.upstreamUnavailable, detail: "\(provider) could not be reached.", provider: provider)
        case .timedOut:
            return Problem(.upstreamTimeout, detail: "\(provider) did not answer in time.", provider: provider)
        default:
            return Problem(.upstreamError, detail: "The exchange with \(provider) failed (\(error.code.rawValue)).", provider: provider)
        }
    }
}
