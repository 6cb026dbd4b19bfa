import DRGWCore
import Foundation
import Synchronization

/// A transport with no network for adapter unit tests: it answers either from a list of steps in
/// order, or from a script keyed by the request's `operationName` and its attempt number, and
/// records what it was sent. The wire itself is tested against the simulators over real HTTP.
public final class ScriptedTransport: HTTPTransport {
    public enum Step: Sendable {
        case answer(Int, String, [(name: String, value: String)] = [])
        case fail(TransportError.Code)
    }

    /// Answers one call: the operation name and its attempt (from 1).
    public typealias Script = @Sendable (_ operation: String, _ attempt: Int) throws -> UpstreamResponse

    private let script: Script?
    private let state: Mutex<(steps: [Step], sent: [UpstreamRequest], calls: [String: Int])>

    /// Answers with `steps`, one a request; past the last one, every request fails.
    public init(_ steps: [Step]) {
        script = nil
        state = Mutex((steps, [], [:]))
    }

    /// Answers with `script`.
    public init(byOperation script: @escaping Script) {
        self.script = script
        state = Mutex(([], [], [:]))
    }

    /// Every request sent so far.
    public var sent: [UpstreamRequest] { state.withLock { $0.sent } }

    /// How often an operation was called.
    public func count(_ operation: String) -> Int { state.withLock { $0.calls[operation] ?? 0 } }

    public func send(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        let operation = request.operationName ?? ""
        let (step, attempt) = state.withLock { s -> (Step?, Int) in
            s.sent.append(request)
            s.calls[operation, default: 0] += 1
            return (s.steps.isEmpty ? nil : s.steps.removeFirst(), s.calls[operation]!)
        }
        if let script { return try script(operation, attempt) }
        switch step {
        case .answer(let status, let body, let headers)?:
            return UpstreamResponse(status: status, headers: headers + [("X-Request-Id", "upstream-\(status)")], body: Array(body.utf8))
        case .fail(let code)?:
            throw TransportError(code)
        case nil:
            throw TransportError(.other, detail: "script exhausted")
        }
    }

    /// A JSON answer.
    public static func json(_ text: String, status: Int = 200) -> UpstreamResponse {
        UpstreamResponse(status: status, headers: [("content-type", "application/json")], body: Array(text.utf8))
    }
}
