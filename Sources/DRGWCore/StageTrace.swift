import Synchronization

/// When one request passed each stage of its way through the gateway: the stage-timing
/// diagnostic (`diagnostics.stageTimingFile`). Off by default; when on, the HTTP front makes one
/// per request and binds it as `StageTrace.current` for the handler's task, so the transport can
/// mark the upstream stages on whatever thread runs them.
public final class StageTrace: Sendable {
    /// The stages in the order a request passes them.
    public enum Stage: Int, CaseIterable, Sendable {
        /// The request head came out of the HTTP parser (event loop).
        case parsed
        /// The first middleware runs.
        case handlerEntered
        /// The first upstream request was handed to the transport.
        case handedToTransport
        /// The transport's thread put it on a connection (curl's multi handle).
        case transferStarted
        /// The first response byte (status line) of that upstream call arrived.
        case firstByte
        /// The transport's thread has the whole upstream response and resumes the caller.
        case transferDone
        /// The handler runs again after the upstream call.
        case resumed
        /// The first middleware returns the response.
        case responseReady
        /// The response's last part was written to the socket.
        case written

        public var name: String {
            switch self {
            case .parsed: "parsed"
            case .handlerEntered: "handler_entered"
            case .handedToTransport: "handed_to_transport"
            case .transferStarted: "transfer_started"
            case .firstByte: "first_byte"
            case .transferDone: "transfer_done"
            case .resumed: "resumed"
            case .responseReady: "response_ready"
            case .written: "written"
            }
        }
    }

    /// The trace of the request the current task serves, when stage timing is on.
    @TaskLocal public static var current: StageTrace?

    private let stamps = Mutex([ContinuousClock.Instant?](repeating: nil, count: Stage.allCases.count))

    public init() {}

    /// Records `stage` now, unless it was recorded before: with several upstream calls in one
    /// request, the upstream stages describe the first.
    public func mark(_ stage: Stage, at instant: ContinuousClock.Instant = .now) {
        stamps.withLock { stamps in
            if stamps[stage.rawValue] == nil { stamps[stage.rawValue] = instant }
        }
    }

    /// The recorded instants, by stage (nil: not reached).
    public var instants: [ContinuousClock.Instant?] {
        stamps.withLock { $0 }
    }

    /// The time from each reached stage to the next reached one, keyed by the later stage; stages
    /// a request did not pass (no upstream call) are skipped, and a trace without `parsed` or
    /// `written` gives nothing.
    public static func intervals(_ instants: [ContinuousClock.Instant?]) -> [(stage: Stage, duration: Duration)] {
        guard instants.count == Stage.allCases.count, let first = instants[Stage.parsed.rawValue],
            instants[Stage.written.rawValue] != nil
        else { return [] }
        var result: [(stage: Stage, duration: Duration)] = []
        var previous = first
        for stage in Stage.allCases.dropFirst() {
            guard let instant = instants[stage.rawValue] else { continue }
            result.append((stage, max(.zero, instant - previous)))
            previous = max(previous, instant)
        }
        return result
    }
}
