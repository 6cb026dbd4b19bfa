import HuaweiSDRS
import DRGWCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Routes, authenticates, injects faults and answers SDRS requests for `HuaweiSDRSSimulator`.
struct SDRSSimulatorResponder: HTTPResponder {
    typealias Context = SDRSSimulatorContext
    let simulator: HuaweiSDRSSimulator

    struct Route {
        var name: String
        var resourceId: String?
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        let requestId = RandomID.hex128()
        let rawPath = request.head.path ?? "/"
        let pieces = rawPath.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = String(pieces[0])
        let rawQuery = pieces.count > 1 ? String(pieces[1]) : ""
        var headers: [(name: String, value: String)] = request.headers.map { ($0.name.rawName, $0.value) }
        if let authority = request.head.authority { headers.append(("Host", authority)) }
        let body = Array((try? await request.body.collect(upTo: 1 << 20)).map { Array(buffer: $0) } ?? [])
        let method = request.method.rawValue
        let route = Self.route(method: method, path: path, projectId: simulator.projectId)
        let remotePort = context.channel.remoteAddress?.port

        func finish(_ status: Int, _ object: Any) -> Response {
            finish(status, json: Self.json(object))
        }
        func finish(_ status: Int, json data: Data) -> Response {
            simulator.requestLog.append(
                RecordedRequest(
                    method: method, path: path, query: rawQuery, headers: headers, body: body, action: route?.name ?? "unknown",
                    status: status, remotePort: remotePort))
            var fields = HTTPFields()
            fields[.contentType] = "application/json;charset=UTF-8"
            fields[HTTPField.Name("X-Request-Id")!] = requestId
            return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        func apigw(_ status: Int, _ code: String, _ message: String) -> Response {
            finish(status, ["error_code": code, "error_msg": message, "request_id": requestId])
        }

        // Authentication: an IAM token, or an SDK-HMAC-SHA256 signature over the declared headers.
        if let token = request.headers[HTTPField.Name("X-Auth-Token")!] {
            guard let expected = simulator.authToken, Digest.constantTimeEquals(Array(token.utf8), Array(expected.utf8)) else {
                return apigw(401, "APIGW.0301", "Incorrect IAM authentication information: token is invalid")
            }
        } else if let failure = simulator.verifier.verify(
            method: method, path: path, rawQuery: rawQuery, headers: headers, body: body, now: Date())
        {
            let message: String
            switch failure {
            case .clockSkew: message = "Incorrect IAM authentication information: request expired (X-Sdk-Date is more than 15 minutes off)"
            case .missingAuthorization: message = "Incorrect IAM authentication information: Authorization not found in header"
            case .unknownAccessKey: message = "Incorrect IAM authentication information: AK is not found"
            default: message = "Incorrect IAM authentication information: verify aksk signature fail"
            }
            return apigw(401, "APIGW.0301", message)
        }
        guard let route else {
            return apigw(404, "APIGW.0101", "The API does not exist or has not been published in the environment")
        }
        if let headerProject = request.headers[HTTPField.Name("X-Project-Id")!], headerProject != simulator.projectId {
            return finish(400, ["error": ["code": "SDRS.0001", "message": "The tenant ID is invalid."]])
        }

        // Faults come before the request takes effect, so a faulted write never acts.
        switch drawFault() {
        case .internalError?:
            return finish(500, ["error": ["code": "SDRS.0013", "message": "Internal error"]])
        case .throttled?:
            var response = apigw(429, "APIGW.0308", "The throttling threshold has been reached")
            response.headers[.retryAfter] = "1"
            return response
        case .drop?:
            simulator.requestLog.append(
                RecordedRequest(method: method, path: path, query: rawQuery, headers: headers, body: body, action: route.name,
                    status: 0, remotePort: remotePort))
            try? await context.channel.close()
            throw CancellationError()
        case .slow?:
            try? await Task.sleep(for: .milliseconds(Int.random(in: 1000...3000)))
        case nil:
            break
        }

        do {
            let (status, data) = try handle(route, method: method, query: rawQuery, body: body)
            await simulator.hold.holdIfNeeded(action: route.name)
            return finish(status, json: data)
        } catch {
            return finish(error.status, ["error": ["code": error.code, "message": error.message]])
        }
    }

    private func drawFault() -> SimulatorFault? {
        let rate = simulator.options.faultRate
        return simulator.faults.withLock { SimulatorFault.draw(rate: rate, from: &$0) }
    }

    static func route(method: String, path: String, projectId: String) -> Route? {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "v1", parts[1] == projectId else { return nil }
        let rest = Array(parts.dropFirst(2))
        switch (method, rest.count, rest[0]) {
        case ("GET", 1, "server-groups"): return Route(name: "listServerGroups")
        case ("POST", 1, "server-groups"): return Route(name: "createServerGroup")
        case ("GET", 2, "server-groups"): return Route(name: "showServerGroup", resourceId: rest[1])
        case ("DELETE", 2, "server-groups"): return Route(name: "deleteServerGroup", resourceId: rest[1])
        case ("POST", 3, "server-groups") where rest[2] == "action":
            return Route(name: "serverGroupAction", resourceId: rest[1])
        case ("GET", 1, "disaster-recovery-drills"): return Route(name: "listDrills")
        case ("POST", 1, "disaster-recovery-drills"): return Route(name: "createDrill")
        case ("GET", 2, "disaster-recovery-drills"): return Route(name: "showDrill", resourceId: rest[1])
        case ("DELETE", 2, "disaster-recovery-drills"): return Route(name: "deleteDrill", resourceId: rest[1])
        case ("GET", 2, "jobs"): return Route(name: "showJob", resourceId: rest[1])
        case ("GET", 1, "active-domains"): return Route(name: "listActiveDomains")
        case ("GET", 1, "replications"): return Route(name: "listReplications")
        case ("GET", 2, "resource") where rest[1] == "rpo-statistics": return Route(name: "listRpoStatistics")
        default: return nil
        }
    }

    private func encode<T: Encodable>(_ value: T) -> Data {
        (try? SDRSJSON.encoder().encode(value)) ?? Data("{}".utf8)
    }

    static func json(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }

    private func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8]) throws(SDRSFault) -> T {
        do { return try SDRSJSON.decoder().decode(type, from: Data(body)) } catch {
            throw .badRequest("SDRS.0201", "The request parameters are invalid.")
        }
    }

    private func handle(_ route: Route, method: String, query rawQuery: String, body: [UInt8]) throws(SDRSFault) -> (Int, Data) {
        let now = Date()
        var query: [String: String] = [:]
        for (name, value) in PercentEncoding.parseQuery(rawQuery) { query[name] = value }
        let id = route.resourceId.flatMap { PercentEncoding.decode($0) } ?? ""
        switch route.name {
        case "listServerGroups":
            let (items, count) = try simulator.world.withLock { w throws(SDRSFault) in w.advance(now: now); return try w.listGroups(query: query) }
            return (200, encode(SDRSWire.ServerGroupList(serverGroups: items, count: count)))
        case "showServerGroup":
            let g = try simulator.world.withLock { w throws(SDRSFault) in w.advance(now: now); return try w.group(id) }
            return (200, encode(SDRSWire.ServerGroupEnvelope(serverGroup: g)))
        case "createServerGroup":
            let params = try decode(SDRSWire.CreateServerGroupBody.self, body).serverGroup
            let job = try simulator.world.withLock { w throws(SDRSFault) in w.advance(now: now); return try w.createGroup(params, now: now) }
            return (200, Self.json(["job_id": job]))
        case "deleteServerGroup":
            let job = try simulator.world.withLock { w throws(SDRSFault) in w.advance(now: now); return try w.deleteGroup(id, now: now) }
            return (200, Self.json(["job_id": job]))
        case "serverGroupAction":
            guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                throw .badRequest("SDRS.0201", "The request parameters are invalid.")
            }
            nonisolated(unsafe) let action = object
            let job = try simulator.world.withLock { w throws(SDRSFault) in w.advance(now: now); return try w.act(on: id, body: action, now: now) }
            return (200, Self.json(["job_id": job]))
        case "listDrills":
            let (items, count) = try simulator.world.withLock { w throws(SDRSFault) in w.advance(now: now); return try w.listDrills(query: query) }
            return (200, encode(SDRSWire.DrillList(disasterRecoveryDrills: items, count: count)))
        case "showDrill":
            let d = try simulator.world.withLock { w throws(SDRSFault) in w.advance(now: now); return try w.drill(id) }
            return (200, encode(SDRSWire.DrillEnvelope(disasterRecoveryDrill: d)))
        case "createDrill":
            let params = try decode(SDRSWire.CreateDrillBody.self, body).disasterRecoveryDrill
            let job = try simulator.world.withLock { w throws(SDRSFault) in w.advance(now: now); return try w.createDrill(params, now: now) }
            return (200, Self.json(["job_id": job]))
        case "deleteDrill":
            let job = try simulator.world.withLock { w throws(SDRSFault) in w.advance(now: now); return try w.deleteDrill(id, now: now) }
            return (200, Self.json(["job_id": job]))
        case "showJob":
            let object = try simulator.world.withLock { w throws(SDRSFault) -> [String: Any] in
                w.advance(now: now)
                return try w.jobJSON(id, now: now)
            }
            nonisolated(unsafe) let job = object
            return (200, Self.json(job))
        case "listReplications":
            let (items, count) = try simulator.world.withLock { w throws(SDRSFault) in w.advance(now: now); return try w.listReplications(query: query) }
            return (200, encode(SDRSWire.ReplicationList(replications: items, count: count)))
        case "listRpoStatistics":
            let (items, count) = try simulator.world.withLock { w throws(SDRSFault) in try w.listRPOStatistics(query: query) }
            return (200, encode(SDRSWire.RPOStatisticList(resourceRpoStatistics: items, count: count)))
        case "listActiveDomains":
            let domain = simulator.world.withLock { $0.domain }
            return (200, encode(SDRSWire.DomainList(domains: [domain])))
        default:
            throw .badRequest("SDRS.0201", "The request parameters are invalid.")
        }
    }
}
