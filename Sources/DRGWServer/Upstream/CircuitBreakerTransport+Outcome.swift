import DRGWCore
import Foundation

extension CircuitBreakerTransport.StateMachine.Outcome {
    /// An HTTP answer: only 502, 503 and 504 say the endpoint is unhealthy; any other answer
    /// (4xx included, 429 too: throttling is the server working) proves it is up.
    init(status: Int) {
        self = [502, 503, 504].contains(status) ? .failure : .success
    }

    /// A failed exchange: connect failures, resets and timeouts count against the endpoint;
    /// cancellation, oversized bodies and other local failures say nothing.
    init(error: any Error) {
        guard let error = error as? TransportError else {
            self = .neutral
            return
        }
        switch error.code {
        case .connectFailed, .reset, .timedOut: self = .failure
        default: self = .neutral
        }
    }
}
