import DRGWCore
import DRGWTesting
import Foundation
import HuaweiSDRS
import HuaweiSDRSSimulation
import Logging
import Testing

@testable import DRGWServer

/// Every status code and every gateway header the live gateway answers is in `/openapi.json`
/// for that operation: each documented operation is called the ways a client gets it wrong
/// (no key, wrong media type, a body too large, a header block too large, unknown ids) and
/// right (a create, its replay, `Prefer: wait`), and each answer is looked up in the document.
@Suite("OpenAPI document covers every answer (live gateway)")
struct OpenAPIConformanceLiveTests {
    /// Headers the gateway sets itself; each one present in an answer must be documented there.
    static let watched = [
        "X-Request-Id", "Idempotent-Replayed", "Link", "Location", "Retry-After", "Preference-Applied", "WWW-Authenticate",
        "RateLimit", "RateLimit-Policy",
    ]

    /// Looks answers up in the document and keeps what is missing.
    final class Ledger {
        let document: [String: Any]
        private(set) var missing: Set<String> = []
        private(set) var seen: Set<String> = []

        init(document: [String: Any]) {
            self.document = document
        }

        func resolve(_ object: [String: Any]?) -> [String: Any]? {
            guard let object else { return nil }
            guard let ref = object["$ref"] as? String else { return object }
            var node: Any = document
            for part in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] as Any }
            return node as? [String: Any]
        }

        func record(_ method: String, _ template: String, status: Int, headers: [(name: String, value: String)]) {
            let operation = ((document["paths"] as? [String: Any])?[template] as? [String: Any])?[method.lowercased()] as? [String: Any]
            let label = "\(method) \(template) → \(status)"
            seen.insert(label)
            guard let operation else {
                missing.insert("\(method) \(template) is not in the document")
                return
            }
            guard let response = resolve((operation["responses"] as? [String: Any])?[String(status)] as? [String: Any]) else {
                missing.insert("\(label): status not documented")
                return
            }
            let declared = Set(((response["headers"] as? [String: Any]) ?? [:]).keys.map { $0.lowercased() })
            for name in OpenAPIConformanceLiveTests.watched where headers.contains(where: { $0.name.lowercased() == name.lowercased() }) {
                if !declared.contains(name.lowercased()) { missing.insert("\(label): header \(name) not documented") }
            }
        }
    }

    @Test func everyAnswerIsDocumented() async throws {
        let options = SimulatorOptions(port: 0, accessKey: "HPUAEXAMPLEAK0000555", secretKey: "doc-secret-\(UUID().uuidString)", jobSeconds: 0.5)
        let group = HuaweiSDRSSimulatorSeed.groupId
        try await LiveGateway.withHuawei(
            account: "hw-doc", options: options,
            configure: { config in
                config.rateLimit.requestsPerSecond = 20
                config.rateLimit.burst = 400
            }
        ) { gateway, _ in
            let client = gateway.client
            let key = gateway.key
            let port = gateway.port
            let document = try #require(try JSONSerialization.jsonObject(with: Data(try await gateway.get("/openapi.json").body)) as? [String: Any])
            #expect((document["servers"] as? [[String: Any]])?.first?["url"] as? String == "/")
            let ledger = Ledger(document: document)

            // Real resources, so that the happy paths answer 200/201/202.
            let drillBody = #"{"name":"doc_drill","protectionGroupId":"\#(group)","cleanupAfter":"PT1H"}"#
            let created = try await gateway.send(
                "POST", "/v1/accounts/hw-doc/drills", json: drillBody, headers: [("Idempotency-Key", "doc-1"), ("Prefer", "wait=20")])
            ledger.record("POST", "/v1/accounts/{account}/drills", status: created.status, headers: created.headers)
            let operationId = try #require(created.jsonObject["id"] as? String)
            let drillId = try #require((created.jsonObject["resource"] as? [String: Any])?["id"] as? String)
            let replay = try await gateway.send("POST", "/v1/accounts/hw-doc/drills", json: drillBody, headers: [("Idempotency-Key", "doc-1")])
            #expect(replay.header("Idempotent-Replayed") == "true")
            ledger.record("POST", "/v1/accounts/{account}/drills", status: replay.status, headers: replay.headers)
            let accepted = try await gateway.send(
                "POST", "/v1/accounts/hw-doc/drills", json: #"{"name":"doc_drill2","protectionGroupId":"\#(group)"}"#,
                headers: [("Idempotency-Key", "doc-2")])
            ledger.record("POST", "/v1/accounts/{account}/drills", status: accepted.status, headers: accepted.headers)
            let schedule = try await gateway.send(
                "POST", "/v1/schedules", json: #"{"name":"doc","account":"hw-doc","protectionGroupId":"\#(group)","cron":"0 3 1 * *"}"#)
            ledger.record("POST", "/v1/schedules", status: schedule.status, headers: schedule.headers)
            let scheduleId = try #require(schedule.jsonObject["id"] as? String)

            let values = ["account": "hw-doc", "groupId": group, "drillId": drillId, "operationId": operationId, "scheduleId": scheduleId]
            let paths = try #require(document["paths"] as? [String: Any])
            for (template, item) in paths.sorted(by: { $0.key < $1.key }) {
                guard let item = item as? [String: Any] else { continue }
                for method in ["get", "head", "post", "delete"] where item[method] != nil {
                    let verb = method.uppercased()
                    var path = template
                    for (name, value) in values { path = path.replacingOccurrences(of: "{\(name)}", with: value) }
                    let writes = verb == "POST" || verb == "DELETE"
                    var attempts: [(path: String, json: String?, headers: [(name: String, value: String)], auth: Bool)] = [
                        (path, writes ? "{}" : nil, writes ? [("Idempotency-Key", "doc-\(UUID().uuidString)")] : [], true),
                        (path, writes ? "{}" : nil, [], false),
                        (path.replacingOccurrences(of: "hw-doc", with: "nope").replacingOccurrences(of: drillId, with: "missing-id")
                            .replacingOccurrences(of: scheduleId, with: "sch_missing").replacingOccurrences(of: operationId, with: "op_missing"),
                         writes ? "{}" : nil, writes ? [("Idempotency-Key", "doc-\(UUID().uuidString)")] : [], true),
                        (path + "?unknownParameter=1", nil, [], true),
                    ]
                    if verb == "POST" {
                        attempts.append((path, "not json", [("Idempotency-Key", "doc-\(UUID().uuidString)")], true))
                        attempts.append((path, "{" + String(repeating: " ", count: 70_000) + "}", [("Idempotency-Key", "doc-\(UUID().uuidString)")], true))
                    }
                    for attempt in attempts {
                        var headers = attempt.headers
                        if attempt.auth { headers.append(("Authorization", "Bearer \(key)")) }
                        if attempt.json != nil { headers.append(("Content-Type", "application/json")) }
                        let answer = try await client.send(
                            UpstreamRequest(
                                method: verb, url: gateway.baseURL + attempt.path, headers: headers, body: Array((attempt.json ?? "").utf8), timeout: 30))
                        ledger.record(verb, template, status: answer.status, headers: answer.headers)
                    }
                    if verb == "POST" {
                        let wrongType = try await client.send(
                            UpstreamRequest(
                                method: verb, url: gateway.baseURL + path,
                                headers: [("Authorization", "Bearer \(key)"), ("Content-Type", "text/plain"), ("Idempotency-Key", "doc-\(UUID().uuidString)")],
                                body: Array("{}".utf8)))
                        ledger.record(verb, template, status: wrongType.status, headers: wrongType.headers)
                    }
                    // A header block over the limit never reaches a route, but it is still an answer of this operation.
                    var raw = "\(verb) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    for index in 0..<1100 { raw += "X-Filler-\(index): x\r\n" }
                    raw += "Content-Length: 0\r\n\r\n"
                    let huge = try await SecurityRawHTTPClient.exchange(port: port, request: Array(raw.utf8))
                    ledger.record(verb, template, status: huge.status, headers: huge.headers)
                }
            }
            // Prefer: wait on a GET of the operation, and the rate limit once the burst is spent.
            let waited = try await gateway.send("GET", "/v1/operations/\(operationId)", headers: [("Prefer", "wait=5")])
            ledger.record("GET", "/v1/operations/{operationId}", status: waited.status, headers: waited.headers)
            var limited = 0
            while limited == 0 {
                let answer = try await gateway.send("GET", "/v1/accounts")
                ledger.record("GET", "/v1/accounts", status: answer.status, headers: answer.headers)
                if answer.status == 429 { limited += 1 }
            }

            #expect(ledger.missing.isEmpty, "\(ledger.missing.sorted().joined(separator: "\n"))")
            // The test saw the answers it is about.
            let seen = ledger.seen
            for expected in [
                "POST /v1/accounts/{account}/drills → 202", "POST /v1/accounts/{account}/drills → 200", "GET /v1/accounts → 429",
                "GET /v1/accounts → 401", "POST /v1/accounts/{account}/drills → 413", "POST /v1/accounts/{account}/drills → 415",
                "GET /healthz → 431", "GET /v1/operations/{operationId} → 404", "POST /v1/schedules → 201",
            ] {
                #expect(seen.contains(expected), "never saw \(expected)")
            }
        }
    }
}
