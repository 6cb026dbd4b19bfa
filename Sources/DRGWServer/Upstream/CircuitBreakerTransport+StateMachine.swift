import Foundation

extension CircuitBreakerTransport {
    /// The pure state machine of one endpoint's circuit breaker. Time comes in as seconds on any
    /// monotonic scale; nothing here reads a clock or touches the network.
    ///
    /// closed → open after `failureThreshold` consecutive failures; open rejects until `openSeconds`
    /// have passed; then half-open admits exactly one probe: its success closes the circuit, its
    /// failure opens it again.
    struct StateMachine: Sendable, Equatable {
        enum State: Sendable, Equatable {
            case closed
            case open(until: Double)
            /// `probing` is true while the single probe is in flight.
            case halfOpen(probing: Bool)

            /// The gauge value: 0 closed, 1 half-open, 2 open.
            var gaugeValue: Int {
                switch self {
                case .closed: return 0
                case .halfOpen: return 1
                case .open: return 2
                }
            }
        }

        /// What the breaker says about a request about to be sent.
        enum Admission: Sendable, Equatable {
            /// Send it normally.
            case allowed
            /// Send it as the one probe of a half-open circuit; report its outcome with `wasProbe: true`.
            case probe
            /// Do not send; retry after this many whole seconds.
            case rejected(retryAfter: Int)
        }

        /// How one finished exchange speaks about the endpoint's health.
        enum Outcome: Sendable, Equatable {
            case success
            case failure
            /// Says nothing about health (e.g. the caller cancelled, the body was too large).
            case neutral
        }

        let settings: BreakerSettings
        private(set) var state: State = .closed
        private(set) var consecutiveFailures = 0

        init(settings: BreakerSettings) {
            self.settings = BreakerSettings(
                failureThreshold: max(1, settings.failureThreshold), openSeconds: max(0, settings.openSeconds))
        }

        /// Decides whether a request may go out at `now`.
        mutating func admit(now: Double) -> Admission {
            switch state {
            case .closed:
                return .allowed
            case .open(let until):
                guard now >= until else { return .rejected(retryAfter: Self.wholeSeconds(until - now)) }
                state = .halfOpen(probing: true)
                return .probe
            case .halfOpen(let probing):
                if probing { return .rejected(retryAfter: 1) }
                state = .halfOpen(probing: true)
                return .probe
            }
        }

        /// Records the outcome of an admitted request.
        mutating func record(_ outcome: Outcome, wasProbe: Bool, now: Double) {
            if wasProbe {
                guard case .halfOpen = state else { return }
                switch outcome {
                case .success:
                    state = .closed
                    consecutiveFailures = 0
                case .failure:
                    trip(now: now)
                case .neutral:
                    // The probe told nothing: let the next request probe instead.
                    state = .halfOpen(probing: false)
                }
                return
            }
            // Answers of requests admitted before the circuit opened do not move an open circuit.
            guard case .closed = state else { return }
            switch outcome {
            case .success:
                consecutiveFailures = 0
            case .failure:
                consecutiveFailures += 1
                if consecutiveFailures >= settings.failureThreshold { trip(now: now) }
            case .neutral:
                break
            }
        }

        private mutating func trip(now: Double) {
            state = .open(until: now + settings.openSeconds)
            consecutiveFailures = 0
        }

        /// Seconds rounded up, at least 1 (the `Retry-After` form).
        static func wholeSeconds(_ seconds: Double) -> Int {
            max(1, Int(seconds.rounded(.up)))
        }
    }
}
