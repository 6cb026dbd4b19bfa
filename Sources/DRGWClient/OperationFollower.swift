import DRGWCore
import Foundation

/// Follows an operation until it ends: long polls with `Prefer: wait`, and when the gateway does
/// not hold the request, waits as long as its `Retry-After` says.
public struct OperationFollower: Sendable {
    public let client: GatewayClient
    /// The longest single `Prefer: wait` (the gateway caps it too).
    public var longPollSeconds: Double = 20

    public init(client: GatewayClient) {
        self.client = client
    }

    /// Returns the ended operation (succeeded or failed); throws `waitTimedOut` after `timeout` seconds.
    /// - Parameter progress: called with each answer and the seconds since the start.
    public func follow(
        _ start: GatewayOperation, timeout: Double, progress: @Sendable (GatewayOperation, Double) -> Void = { _, _ in }
    ) async throws(ClientFailure) -> GatewayOperation {
        let begin = ContinuousClock.now
        func elapsed() -> Double {
            let duration = ContinuousClock.now - begin
            return Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        }
        var current = start
        progress(current, 0)
        while current.status == .running {
            let remaining = timeout - elapsed()
            guard remaining > 0 else { throw ClientFailure.waitTimedOut(current, seconds: timeout) }
            let wait = Swift.max(1, Int(Swift.min(remaining, longPollSeconds).rounded(.down)))
            let reply = try await client.send(
                "GET", "/v1/operations/\(GatewayClient.segment(current.id))", headers: [("Prefer", "wait=\(wait)")],
                extraSeconds: Double(wait))
            current = try reply.decode(GatewayOperation.self)
            progress(current, elapsed())
            guard current.status == .running else { break }
            // A gateway that did not hold the request says when to ask again.
            if reply.header("Preference-Applied") == nil {
                let after = reply.header("Retry-After").flatMap(Double.init) ?? 1
                let pause = Swift.min(Swift.max(after, 0.2), Swift.max(0, timeout - elapsed()))
                if pause > 0 {
                    do { try await Task.sleep(for: .seconds(pause)) } catch { throw ClientFailure.waitTimedOut(current, seconds: elapsed()) }
                }
            }
        }
        return current
    }
}
