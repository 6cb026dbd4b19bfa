import AlibabaEBS
import DRGWCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The Alibaba EBS 2021-07-30 RPC API on a local port, close enough that the official SDK
/// works against it unchanged: V3 and V1 signature checks, 15-minute clock
/// skew, nonce replay, ClientToken semantics, pair/group/drill state machines over
/// `jobSeconds`, and seeded fault injection (`faultRate`, `randomSeed`).
public final class AlibabaEBSSimulator: ProviderSimulator {
    /// The seeded replica group.
    public static let seedGroupId = "pg-sim0seed0group"
    /// The pair inside the seeded group.
    public static let seedGroupPairId = "pair-cn-sim0seed0grp1"
    /// The seeded pair outside any group.
    public static let seedPairId = "pair-cn-sim0seed0solo"
    /// Largest accepted clock difference.
    static let maxSkew: TimeInterval = 15 * 60

    /// Every request received, with its Action, answer status and remote port.
    public let requestLog = RequestLog()
    let options: SimulatorOptions
    let hold: AnswerHold
    /// The region the seed lives in (its destination region is the other of cn-shanghai/cn-hangzhou).
    public let region: String
    let world: Mutex<AlibabaSimulatorWorld>
    private let nonces = Mutex<[String: Date]>([:])
    private let tokens = Mutex<[String: TokenRecord]>([:])
    private let random: Mutex<SeededGenerator>
    private let forcedFaults = Mutex<[(fault: AlibabaSimulatorFault, action: String?)]>([])
    private let verifier: AlibabaSignatureVerifier

    /// ClientTokens whose first request is still being answered (tests wait on it instead of sleeping).
    public var clientTokensInFlight: Int {
        tokens.withLock { records in
            records.values.filter { if case .inFlight = $0 { return true } else { return false } }.count
        }
    }

    enum TokenRecord: Sendable {
        case inFlight(fingerprint: String)
        case done(fingerprint: String, reply: SimReply)
    }

    /// Creates a seeded simulator (not yet listening; see `run(onReady:)`).
    public init(options: SimulatorOptions) {
        self.hold = AnswerHold(options: options)
        self.options = options
        self.region = options.region ?? "cn-shanghai"
        self.world = Mutex(AlibabaSimulatorWorld.seeded(region: region, jobSeconds: options.jobSeconds, now: Date(), options: options))
        self.random = Mutex(SeededGenerator(seed: options.randomSeed ?? UInt64.random(in: 0...UInt64.max)))
        let accessKey = options.accessKey
        let secretKey = options.secretKey
        self.verifier = AlibabaSignatureVerifier { $0 == accessKey ? secretKey : nil }
    }

    /// The region and the seeded ids, printed by `drgw simulate` and `drgw demo`.
    public var seedSummary: [String] {
        let destination = world.withLock { $0.replicas[Self.seedPairId]?.destinationRegion ?? "" }
        return [
            "alibaba-ebs region \(region) (secondary region \(destination))",
            "replica group \(Self.seedGroupId) holding pair \(Self.seedGroupPairId) (normal)",
            "replica pair \(Self.seedPairId) outside any group (normal)",
        ]
    }

    /// TEST-ONLY hook: the next requests that pass the signature check (only those of `action`,
    /// when given) get these faults, in order, before anything else happens, so no write takes
    /// effect. Not for production use.
    public func injectFaults(_ faults: [AlibabaSimulatorFault], forAction action: String? = nil) {
        forcedFaults.withLock { $0.append(contentsOf: faults.map { ($0, action) }) }
    }

    /// TEST-ONLY hook: the upstream status of a pair or group, as `Describe*` would show it.
    public func status(of replicaId: String) -> String? {
        world.withLock {
            $0.advance(now: Date())
            return $0.replicas[replicaId]?.status
        }
    }

    /// TEST-ONLY hook: a drill's `StartAt` and `RecoverPoint` (unix seconds) as `Describe*Drills` shows them.
    public func drillTimes(_ drillId: String) -> (startAt: Int, recoverPoint: Int)? {
        world.withLock { w in w.drills[drillId].map { ($0.startAt, $0.recoverPoint) } }
    }

    /// Binds `options.host:options.port` (0 = ephemeral), reports the bound port to `onReady`
    /// and serves until the task is cancelled.
    public func run(onReady: @escaping @Sendable (Int) async -> Void) async throws {
        var logger = Logger(label: "drgw.simulator.alibaba-ebs")
        logger.logLevel = .critical
        let responder = CallbackResponder<AlibabaSimulatorContext> { [self] request, context in
            try await self.handle(request, context: context)
        }
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: nil),
            onServerRunning: { channel in await onReady(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await app.runService(gracefulShutdownSignals: [])
    }

    // MARK: - Pipeline

    func handle(_ request: Request, context: AlibabaSimulatorContext) async throws -> Response {
        var request = request
        let body = Array(buffer: try await request.collectBody(upTo: 1 << 20))
        let method = request.method.rawValue
        let rawQuery = request.uri.query ?? ""
        // HTTPTypes keeps `Host` as the `:authority` pseudo-header; the signature covers it as `host`.
        var headers: [(name: String, value: String)] = []
        if let authority = request.head.authority { headers.append(("host", authority)) }
        headers += request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
        let query = PercentEncoding.parseQuery(rawQuery)
        var form: [(name: String, value: String)] = []
        if request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
            form = PercentEncoding.parseQuery(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "+", with: "%20"))
        }
        let remotePort = context.channel.remoteAddress?.port
        var action = request.headers[HTTPField.Name("x-acs-action")!] ?? (query + form).first { $0.name == "Action" }?.value
        func record(_ status: Int) {
            requestLog.append(RecordedRequest(
                method: method, path: request.uri.path, query: rawQuery, headers: headers, body: body, action: action,
                status: status, remotePort: remotePort))
        }
        func answer(_ reply: SimReply) -> Response {
            record(reply.status)
            return render(reply)
        }

        guard request.uri.path == "/" || request.uri.path.isEmpty, method == "POST" || method == "GET" else {
            return answer(AlibabaSimulatorWorld.error(404, "InvalidApi.NotFound", "Specified api is not found, please check your url and method."))
        }
        // 1. Signature, clock skew, nonce replay.
        let verified: AlibabaSignatureVerifier.Verified
        switch verifier.verify(method: method, path: "/", query: query, form: form, headers: headers, body: body) {
        case .failure(let failure):
            let status = failure.code == "InvalidAccessKeyId.NotFound" ? 404 : 400
            let message =
                failure.code == "SignatureDoesNotMatch"
                ? "Specified signature is not matched with our calculation." : "The request signature is incomplete or malformed."
            return answer(AlibabaSimulatorWorld.error(status, failure.code, message))
        case .success(let v):
            verified = v
        }
        action = verified.action
        let now = Date()
        if abs(now.timeIntervalSince(verified.date)) > Self.maxSkew {
            return answer(AlibabaSimulatorWorld.error(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."))
        }
        let nonceKey = verified.accessKeyId + "\u{1F}" + verified.nonce
        let reused = nonces.withLock { seen -> Bool in
            if seen.count > 50_000 { seen = seen.filter { now.timeIntervalSince($0.value) < 2 * Self.maxSkew } }
            if seen[nonceKey] != nil { return true }
            seen[nonceKey] = now
            return false
        }
        if reused {
            return answer(AlibabaSimulatorWorld.error(400, "SignatureNonceUsed", "Specified signature nonce was used already."))
        }
        let params = Dictionary((query + form).map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        if verified.version == "v1", params["Version"] != "2021-07-30" {
            return answer(AlibabaSimulatorWorld.error(400, "InvalidVersion", "Specified parameter Version is not valid."))
        }
        if verified.version == "v3", request.headers[HTTPField.Name("x-acs-version")!] != "2021-07-30" {
            return answer(AlibabaSimulatorWorld.error(400, "InvalidVersion", "Specified parameter Version is not valid."))
        }

        // 2. Faults, before anything takes effect.
        var slow = false
        if let fault = nextFault(action: verified.action) {
            switch fault {
            case .drop:
                record(0)
                context.channel.close(mode: .all, promise: nil)
                throw CancellationError()
            case .serverError:
                let flip = random.withLock { $0.next() & 1 == 0 }
                return answer(
                    flip
                        ? AlibabaSimulatorWorld.error(500, "InternalError", "The request processing has failed due to some unknown error, exception or failure.")
                        : AlibabaSimulatorWorld.error(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server."))
            case .throttle:
                var reply = AlibabaSimulatorWorld.error(400, "Throttling.User", "Request was denied due to user flow control.")
                reply.headers = [("x-acs-retry-after", "500")]
                return answer(reply)
            case .slow:
                slow = true
            }
        }

        // 3. ClientToken: replay, mismatch, in flight.
        let businessParams = params.filter { !Self.commonParameterNames.contains($0.key) }
        let token = AlibabaSimulatorWorld.clientTokenActions.contains(verified.action) ? params["ClientToken"].flatMap { $0.isEmpty ? nil : $0 } : nil
        if let token {
            if token.utf8.count > 64 || !token.allSatisfy(\.isASCII) {
                return answer(AlibabaSimulatorWorld.error(400, "InvalidParameter", "The parameter ClientToken is invalid."))
            }
            let fingerprint = verified.action + "?" + businessParams.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
            let key = verified.accessKeyId + "\u{1F}" + token
            let early: SimReply? = tokens.withLock { records in
                switch records[key] {
                case .none:
                    // Bounded memory for long soak runs: old finished tokens are forgotten first.
                    if records.count > 50_000 {
                        records = records.filter { if case .inFlight = $0.value { return true } else { return false } }
                    }
                    records[key] = .inFlight(fingerprint: fingerprint)
                    return nil
                case .inFlight(let f):
                    return f == fingerprint
                        ? AlibabaSimulatorWorld.error(403, "LastTokenProcessing", "The last token request is processing.")
                        : AlibabaSimulatorWorld.error(400, "IdempotentParameterMismatch", "The specified parameter has changed while using an already used clientToken.")
                case .done(let f, let reply):
                    return f == fingerprint
                        ? reply
                        : AlibabaSimulatorWorld.error(400, "IdempotentParameterMismatch", "The specified parameter has changed while using an already used clientToken.")
                }
            }
            if let early { return answer(early) }
            if slow { try await Task.sleep(for: .milliseconds(Int(1000 + 2000 * random.withLock { $0.unit() }))) }
            let reply = world.withLock { $0.perform(action: verified.action, businessParams, now: Date()) }
            tokens.withLock { $0[key] = .done(fingerprint: fingerprint, reply: reply) }
            await hold.holdIfNeeded(action: verified.action)
            return answer(reply)
        }
        if slow { try await Task.sleep(for: .milliseconds(Int(1000 + 2000 * random.withLock { $0.unit() }))) }
        let reply = world.withLock { $0.perform(action: verified.action, businessParams, now: Date()) }
        await hold.holdIfNeeded(action: verified.action)
        return answer(reply)
    }

    static let commonParameterNames: Set<String> = [
        "Action", "Version", "Format", "AccessKeyId", "SignatureMethod", "SignatureVersion", "SignatureNonce",
        "SignatureType", "Timestamp", "SecurityToken", "Signature", "BearerToken",
    ]

    private func nextFault(action: String) -> AlibabaSimulatorFault? {
        let forced = forcedFaults.withLock { list -> AlibabaSimulatorFault? in
            guard let index = list.firstIndex(where: { $0.action == nil || $0.action == action }) else { return nil }
            return list.remove(at: index).fault
        }
        if let forced { return forced }
        guard options.faultRate > 0 else { return nil }
        return random.withLock { rng -> AlibabaSimulatorFault? in
            guard rng.unit() < options.faultRate else { return nil }
            return AlibabaSimulatorFault.allCases[Int(rng.next() % UInt64(AlibabaSimulatorFault.allCases.count))]
        }
    }

    private func render(_ reply: SimReply) -> Response {
        var body = reply.body
        let requestId = RandomID.uuid().uppercased()
        body["RequestId"] = .string(requestId)
        if reply.status >= 400 {
            let code: String = {
                if case .string(let c) = reply.body["Code"] { return c }
                return ""
            }()
            body["HostId"] = .string("ebs.\(region).aliyuncs.com")
            body["Recommend"] = .string("https://api.aliyun.com/troubleshoot?q=\(code)&product=ebs&requestId=\(requestId)")
        }
        let data = (try? JSONSerialization.data(withJSONObject: SimJSON.object(body).foundation, options: [.sortedKeys])) ?? Data()
        var fields = HTTPFields()
        fields[.contentType] = "application/json;charset=utf-8"
        fields[HTTPField.Name("x-acs-request-id")!] = requestId
        for header in reply.headers {
            if let name = HTTPField.Name(header.name) { fields[name] = header.value }
        }
        return Response(
            status: HTTPResponse.Status(code: reply.status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: Array(data))))
    }
}
