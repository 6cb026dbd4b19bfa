import DRGWCore
import Foundation
import Synchronization

/// A transport that answers from a script and records what it was sent (adapter unit tests).
final class ScriptedTransport: HTTPTransport {
    enum Step: Sendable {
        case answer(Int, String, [(name: String, value: String)] = [])
        case fail(TransportError.Code)
    }

    private let state: Mutex<(steps: [Step], sent: [HTTPRequest])>

    init(_ steps: [Step]) {
        state = Mutex((steps, []))
    }

    var sent: [HTTPRequest] { state.withLock { $0.sent } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let step = state.withLock { s -> Step? in
            s.sent.append(request)
            return s.steps.isEmpty ? nil : s.steps.removeFirst()
        }
        switch step {
        case .answer(let status, let body, let headers)?:
            return HTTPResponse(status: status, headers: headers + [("X-Request-Id", "upstream-\(status)")], body: Array(body.utf8))
        case .fail(let code)?:
            throw TransportError(code)
        case nil:
            throw TransportError(.other, detail: "script exhausted")
        }
    }
}
