import DRGWCore
import Foundation
import Synchronization

/// A scripted transport: answers by Action, counts calls, no network. For the retry rules
/// only; everything on the wire is tested against the simulator over real HTTP.
final class ScriptedTransport: HTTPTransport {
    typealias Script = @Sendable (_ action: String, _ attempt: Int) throws -> HTTPResponse
    private let script: Script
    private let calls = Mutex<[String: Int]>([:])

    init(_ script: @escaping Script) {
        self.script = script
    }

    func count(_ action: String) -> Int { calls.withLock { $0[action] ?? 0 } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let action =
            request.header("x-acs-action")
            ?? PercentEncoding.parseQuery(String(request.url.split(separator: "?", maxSplits: 1).last ?? "")).first { $0.name == "Action" }?.value
            ?? ""
        let attempt = calls.withLock { c -> Int in
            c[action, default: 0] += 1
            return c[action]!
        }
        return try script(action, attempt)
    }

    static func json(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("content-type", "application/json")], body: Array(text.utf8))
    }

    static let drills = json(#"{"RequestId":"r","Drills":[{"DrillId":"drill-1","Status":"executed","StartAt":1768465800}]}"#)
    static let pairs = json(
        #"{"RequestId":"r","ReplicaPairs":[{"ReplicaPairId":"pair-1","Status":"normal","SourceRegion":"cn-shanghai","DestinationRegion":"cn-hangzhou"}]}"#)
}
