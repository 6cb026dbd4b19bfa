import DRGWCore
import Foundation
import Synchronization

/// What the soak saw, shared by its workers.
final class SoakTally: Sendable {
    struct Snapshot: Sendable {
        var cycles: [String: Int] = [:]
        var succeeded: [String: Int] = [:]
        var failedCycles: [String: Int] = [:]
        var failureCodes: [String: Int] = [:]
        var nonContractCodes: [String] = []
        var status500 = 0
        var clientRetries = 0
        var unfinished = 0
        /// Seconds from the start until a provider's last worker stopped.
        var seconds: [String: Double] = [:]

        var summary: String {
            "cycles \(cycles), succeeded \(succeeded), failed \(failedCycles) by code \(failureCodes), "
                + "client retries \(clientRetries), 500s \(status500), unfinished \(unfinished), "
                + "seconds per provider \(seconds.mapValues { ($0 * 10).rounded() / 10 })"
        }
    }

    private let state = Mutex(Snapshot())

    var snapshot: Snapshot { state.withLock { $0 } }

    func update(_ change: (inout Snapshot) -> Void) { state.withLock { change(&$0) } }

    /// Notes that a worker of `provider` stopped `since` the start.
    func workerStopped(_ provider: String, since start: ContinuousClock.Instant) {
        let elapsed = start.duration(to: .now).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        update { $0.seconds[provider] = max($0.seconds[provider] ?? 0, seconds) }
    }
}

/// A gateway client that retries like a careful caller: the same Idempotency-Key on 5xx,
/// 429 and 409 `idempotency_key_in_use`, bounded in attempts.
struct SoakClient: Sendable {
    let gateway: LiveGateway
    let tally: SoakTally
    let provider: String

    /// How a write ended from the caller's view.
    enum Ending {
        case succeeded(resourceId: String?)
        case failed(code: String)
    }

    func cycle(account: String, group: String, name: String, key: String) async {
        tally.update { $0.cycles[provider, default: 0] += 1 }
        let body = "{\"name\":\"\(name)\",\"protectionGroupId\":\"\(group)\"}"
        let created = await write("POST", "/v1/accounts/\(account)/drills", body: body, key: key + "-create")
        guard case .succeeded(let drillId) = created, let drillId else {
            record(created)
            return
        }
        let deleted = await write("DELETE", "/v1/accounts/\(account)/drills/\(drillId)", body: nil, key: key + "-delete")
        record(deleted)
    }

    private func record(_ ending: Ending) {
        tally.update { t in
            switch ending {
            case .succeeded:
                t.succeeded[provider, default: 0] += 1
            case .failed(let code):
                t.failedCycles[provider, default: 0] += 1
                t.failureCodes[code, default: 0] += 1
                if ProblemCode.named(code) == nil { t.nonContractCodes.append(code) }
            }
        }
    }

    /// One write to its end: retried on retryable answers, then followed until the operation ends.
    func write(_ method: String, _ path: String, body: String?, key: String) async -> Ending {
        var lastCode = "unfinished"
        for attempt in 1...40 {
            let answer: UpstreamResponse
            do {
                answer = try await gateway.send(
                    method, path, json: body, headers: [("Idempotency-Key", key), ("Prefer", "wait=15")])
            } catch {
                lastCode = "client_transport_error"
                tally.update { $0.clientRetries += 1 }
                try? await Task.sleep(for: .milliseconds(50 * min(attempt, 6)))
                continue
            }
            let json = answer.jsonObject
            if answer.status == 500 { tally.update { $0.status500 += 1 } }
            if answer.status == 200 || answer.status == 202 {
                return await follow(json)
            }
            let code = json["code"] as? String ?? "no_code_\(answer.status)"
            lastCode = code
            let retry = answer.status >= 500 || answer.status == 429 || code == "idempotency_key_in_use"
            guard retry else { return .failed(code: code) }
            tally.update { $0.clientRetries += 1 }
            let hint = answer.header("Retry-After").flatMap(Double.init).map { min($0, 1) } ?? 0
            try? await Task.sleep(for: .milliseconds(Int(max(hint * 1000, Double(50 * min(attempt, 6))))))
        }
        tally.update { $0.unfinished += 1 }
        return .failed(code: lastCode)
    }

    /// Follows an operation until it is no longer running.
    private func follow(_ operation: [String: Any]) async -> Ending {
        var operation = operation
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            switch operation["status"] as? String {
            case "succeeded":
                let resource = operation["resource"] as? [String: Any]
                return .succeeded(resourceId: resource?["id"] as? String)
            case "failed":
                let error = operation["error"] as? [String: Any]
                return .failed(code: error?["code"] as? String ?? "failed_without_code")
            default:
                break
            }
            guard ContinuousClock.now < deadline, let id = operation["id"] as? String else {
                tally.update { $0.unfinished += 1 }
                return .failed(code: "unfinished")
            }
            try? await Task.sleep(for: .milliseconds(100))
            if let answer = try? await gateway.send("GET", "/v1/operations/\(id)"), answer.status == 200 {
                operation = answer.jsonObject
            } else if let answer = try? await gateway.send("GET", "/v1/operations/\(id)"), answer.status == 500 {
                tally.update { $0.status500 += 1 }
            }
        }
    }
}

/// Hands out cycle numbers 1…limit to concurrent workers.
final class SoakTickets: Sendable {
    private let issued = Mutex(0)
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func next() -> Int? {
        issued.withLock { n in
            guard n < limit else { return nil }
            n += 1
            return n
        }
    }
}
