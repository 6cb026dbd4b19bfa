import AWSDRS
import DRGWCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Authenticates, routes (`POST /{Operation}`), injects faults and answers DRS requests for
/// `AWSDRSSimulator`.
struct DRSSimulatorResponder: HTTPResponder {
    typealias Context = DRSSimulatorContext
    let simulator: AWSDRSSimulator

    /// The operations served, with the success status the model gives each (`responseCode`).
    static let operations: [String: Int] = [
        "DescribeSourceServers": 200, "StartRecovery": 202, "DescribeJobs": 200, "DescribeJobLogItems": 200,
        "DeleteJob": 204, "DescribeRecoveryInstances": 200, "TerminateRecoveryInstances": 200, "ReverseReplication": 200,
        "CreateRecoveryPlan": 201, "ListRecoveryPlans": 200, "GetRecoveryPlan": 200, "DeleteRecoveryPlan": 200,
        "ListRecoveryPlanSteps": 200, "CreateRecoveryPlanStep": 201,
    ]

    func respond(to request: Request, context: Context) async throws -> Response {
        let requestId = RandomID.uuid()
        let rawPath = request.head.path ?? "/"
        let pieces = rawPath.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = String(pieces[0])
        let rawQuery = pieces.count > 1 ? String(pieces[1]) : ""
        var headers: [(name: String, value: String)] = request.headers.map { ($0.name.rawName, $0.value) }
        if let authority = request.head.authority { headers.append(("Host", authority)) }
        let body = Array((try? await request.body.collect(upTo: 1 << 20)).map { Array(buffer: $0) } ?? [])
        let method = request.method.rawValue
        let name = String(path.dropFirst())
        let operation = method == "POST" && Self.operations[name] != nil ? name : nil
        let remotePort = context.channel.remoteAddress?.port

        func finish(_ status: Int, _ data: Data, fields extra: [(HTTPField.Name, String)] = []) -> Response {
            simulator.requestLog.append(
                RecordedRequest(
                    method: method, path: path, query: rawQuery, headers: headers, body: body, action: operation ?? "unknown",
                    status: status, remotePort: remotePort))
            var fields = HTTPFields()
            fields[HTTPField.Name("x-amzn-RequestId")!] = requestId
            if status != 204 { fields[.contentType] = "application/json" }
            for (field, value) in extra { fields[field] = value }
            return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        func fail(_ fault: DRSFault) -> Response {
            var extra = [(HTTPField.Name("x-amzn-ErrorType")!, fault.type)]
            if let seconds = fault.retryAfter { extra.append((.retryAfter, seconds)) }
            return finish(fault.status, fault.body, fields: extra)
        }

        // Authentication comes before anything else, as at AWS.
        let now = Date()
        if let failure = simulator.verifier.verify(method: method, path: path, rawQuery: rawQuery, headers: headers, body: body, now: now) {
            return fail(Self.authenticationFault(failure, headers: headers, now: now))
        }
        if Self.hasUnsignedSessionToken(headers) {
            return fail(DRSFault(status: 403, type: "InvalidSignatureException", message: Self.signatureMismatch))
        }
        guard let operation else {
            return fail(.unknownOperation(name))
        }

        // Faults come before the request takes effect, so a faulted write never acts.
        switch drawFault() {
        case .internalError?:
            var fault = DRSFault(status: 500, type: "InternalServerException", message: "An internal error occurred. Try again.")
            fault.retryAfter = "1"
            return fail(fault)
        case .throttled?:
            var fault = DRSFault(status: 429, type: "ThrottlingException", message: "Rate exceeded")
            fault.serviceCode = "drs"
            fault.retryAfter = "1"
            return fail(fault)
        case .drop?:
            simulator.requestLog.append(
                RecordedRequest(
                    method: method, path: path, query: rawQuery, headers: headers, body: body, action: operation, status: 0,
                    remotePort: remotePort))
            try? await context.channel.close()
            throw CancellationError()
        case .slow?:
            try? await Task.sleep(for: .milliseconds(Int.random(in: 1000...3000)))
        case nil:
            break
        }

        do {
            let data = try handle(operation, body: body, now: Date())
            await simulator.hold.holdIfNeeded(action: operation)
            return finish(Self.operations[operation] ?? 200, data)
        } catch {
            // Nothing took effect: only the service time applies, never the one-time hold.
            await simulator.hold.holdIfNeeded(action: nil)
            return fail(error)
        }
    }

    static let signatureMismatch =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and "
        + "signing method. Consult the service documentation for details."

    /// The answers AWS gives when a request's signature is refused (the model does not list them).
    static func authenticationFault(_ failure: AWSSignatureVerifier.Failure, headers: [(name: String, value: String)], now: Date) -> DRSFault {
        switch failure {
        case .missingAuthorization:
            return DRSFault(status: 403, type: "MissingAuthenticationTokenException", message: "Missing Authentication Token")
        case .unknownAccessKey:
            return DRSFault(status: 403, type: "UnrecognizedClientException", message: "The security token included in the request is invalid.")
        case .expired:
            let sent = headers.first { HeaderName.equal($0.name, "X-Amz-Date") }?.value ?? ""
            let early = Timestamp.basicISO8601(now.addingTimeInterval(-300))
            let late = Timestamp.basicISO8601(now.addingTimeInterval(300))
            let message: String
            if let date = Timestamp.parseBasicISO8601(sent), date > now {
                message = "Signature not yet current: \(sent) is still later than \(late) (\(Timestamp.basicISO8601(now)) + 5 min.)"
            } else {
                message = "Signature expired: \(sent.prefix(32)) is now earlier than \(early) (\(Timestamp.basicISO8601(now)) - 5 min.)"
            }
            return DRSFault(status: 403, type: "InvalidSignatureException", message: message)
        case .malformedAuthorization, .badSignature, .wrongScope:
            return DRSFault(status: 403, type: "InvalidSignatureException", message: signatureMismatch)
        }
    }

    /// True when `X-Amz-Security-Token` is sent but not among the `SignedHeaders` of the
    /// `Authorization` header: temporary credentials are accepted only with the token signed.
    static func hasUnsignedSessionToken(_ headers: [(name: String, value: String)]) -> Bool {
        guard headers.contains(where: { HeaderName.equal($0.name, "X-Amz-Security-Token") }) else { return false }
        let authorization = headers.first { HeaderName.equal($0.name, "Authorization") }?.value ?? ""
        guard let start = authorization.range(of: "SignedHeaders=") else { return true }
        let list = authorization[start.upperBound...].prefix { $0 != "," && $0 != " " }
        return !list.lowercased().split(separator: ";").contains("x-amz-security-token")
    }

    private func drawFault() -> SimulatorFault? {
        let rate = simulator.options.faultRate
        return simulator.faults.withLock { SimulatorFault.draw(rate: rate, from: &$0) }
    }

    // MARK: Operations

    private func handle(_ operation: String, body: [UInt8], now: Date) throws(DRSFault) -> Data {
        switch operation {
        case "DescribeSourceServers":
            let request = try decode(DRSWire.DescribeSourceServersRequest.self, body)
            return try encode(simulator.world.withLock { w throws(DRSFault) in w.advance(now: now); return try w.describeSourceServers(request) })
        case "StartRecovery":
            let request = try decode(DRSWire.StartRecoveryRequest.self, body)
            let job = try simulator.world.withLock { w throws(DRSFault) in w.advance(now: now); return try w.startRecovery(request, now: now) }
            return try encode(DRSWire.JobEnvelope(job: job))
        case "DescribeJobs":
            let request = try decode(DRSWire.DescribeJobsRequest.self, body)
            return try encode(simulator.world.withLock { w throws(DRSFault) in w.advance(now: now); return try w.describeJobs(request) })
        case "DescribeJobLogItems":
            let request = try decode(DRSWire.DescribeJobLogItemsRequest.self, body)
            return try encode(simulator.world.withLock { w throws(DRSFault) in w.advance(now: now); return try w.describeJobLogItems(request) })
        case "DeleteJob":
            let request = try decode(JobReference.self, body)
            try simulator.world.withLock { w throws(DRSFault) in w.advance(now: now); try w.deleteJob(request.jobID) }
            return Data()
        case "DescribeRecoveryInstances":
            let request = try decode(DRSWire.DescribeRecoveryInstancesRequest.self, body)
            return try encode(simulator.world.withLock { w throws(DRSFault) in w.advance(now: now); return try w.describeRecoveryInstances(request) })
        case "TerminateRecoveryInstances":
            let request = try decode(DRSWire.TerminateRecoveryInstancesRequest.self, body)
            let job = try simulator.world.withLock { w throws(DRSFault) in
                w.advance(now: now)
                return try w.terminateRecoveryInstances(request, now: now)
            }
            return try encode(DRSWire.JobEnvelope(job: job))
        case "ReverseReplication":
            let request = try decode(DRSWire.ReverseReplicationRequest.self, body)
            return try encode(simulator.world.withLock { w throws(DRSFault) in w.advance(now: now); return try w.reverseReplication(request) })
        case "CreateRecoveryPlan":
            let request = try decode(DRSWire.CreateRecoveryPlanRequest.self, body)
            let plan = try simulator.world.withLock { w throws(DRSFault) in try w.createRecoveryPlan(request, now: now) }
            return try encode(DRSWire.RecoveryPlanEnvelope(recoveryPlan: plan))
        case "ListRecoveryPlans":
            let request = try decode(DRSWire.ListRecoveryPlansRequest.self, body)
            return try encode(simulator.world.withLock { w throws(DRSFault) in try w.listRecoveryPlans(request) })
        case "GetRecoveryPlan":
            let request = try decode(DRSWire.RecoveryPlanReference.self, body)
            let plan = try simulator.world.withLock { w throws(DRSFault) in try w.plan(request.recoveryPlanArn).wire }
            return try encode(DRSWire.RecoveryPlanEnvelope(recoveryPlan: plan))
        case "DeleteRecoveryPlan":
            let request = try decode(DRSWire.RecoveryPlanReference.self, body)
            try simulator.world.withLock { w throws(DRSFault) in try w.deleteRecoveryPlan(request.recoveryPlanArn) }
            return try encode(DRSWire.RecoveryPlanReference(recoveryPlanArn: request.recoveryPlanArn))
        case "ListRecoveryPlanSteps":
            let request = try decode(DRSWire.ListRecoveryPlanStepsRequest.self, body)
            return try encode(simulator.world.withLock { w throws(DRSFault) in try w.listRecoveryPlanSteps(request) })
        case "CreateRecoveryPlanStep":
            let request = try decode(DRSWire.CreateRecoveryPlanStepRequest.self, body)
            let step = try simulator.world.withLock { w throws(DRSFault) in try w.createRecoveryPlanStep(request, now: now) }
            return try encode(DRSWire.RecoveryPlanStepEnvelope(recoveryPlanStep: step))
        default:
            throw .unknownOperation(operation)
        }
    }

    /// `DeleteJob`'s body (not among the adapter's shapes).
    private struct JobReference: Decodable {
        var jobID: String
    }

    /// Decodes a request body (empty means `{}`); a body that is not JSON, a missing required
    /// member or a member of the wrong type is a `ValidationException`.
    private func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8]) throws(DRSFault) -> T {
        let data = body.isEmpty ? Data("{}".utf8) : Data(body)
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            let field = Self.fieldPath(context.codingPath + [key])
            throw .validation(Self.nullMessage(field), field: field)
        } catch let DecodingError.typeMismatch(_, context) {
            let field = Self.fieldPath(context.codingPath)
            throw .validation("1 validation error detected: Value at '\(field)' has the wrong type.", field: field)
        } catch let DecodingError.valueNotFound(_, context) {
            let field = Self.fieldPath(context.codingPath)
            throw .validation(Self.nullMessage(field), field: field)
        } catch {
            throw .validation("The request body is not valid JSON.", reason: "cannotParse")
        }
    }

    static func nullMessage(_ field: String) -> String {
        "1 validation error detected: Value null at '\(field)' failed to satisfy constraint: Member must not be null"
    }

    /// `sourceServers.0.sourceServerID` style names of a coding path.
    static func fieldPath(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    private func encode<T: Encodable>(_ value: T) throws(DRSFault) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { return try encoder.encode(value) } catch {
            throw DRSFault(status: 500, type: "InternalServerException", message: "The answer could not be encoded.")
        }
    }
}
