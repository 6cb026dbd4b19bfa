import Crypto
import DRGWCore
import DRGWStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Runs every write of the unified API exactly once from the caller's view: the
/// Idempotency-Key record is written before the upstream call and completed after it, the
/// operation is persisted for the poller, and `Prefer: wait=N` holds the answer.
struct WriteCoordinator: Sendable {
    let idempotency: any IdempotencyStore
    let operations: any OperationStore
    let waiters: OperationWaiters
    let leaseSeconds: Double
    let logger: Logger
    /// Adapters' work that outlives a request (run by `BackgroundWorkService`).
    var background: BackgroundWork?
    /// The time source of every timestamp and lease this coordinator writes.
    var clock: @Sendable () -> Date = { Date() }

    /// What the controller wants done.
    struct Write {
        var account: AccountRegistry.Entry
        var kind: String
        var resource: ResourceReference
        /// Canonical body bytes for the fingerprint.
        var canonicalBody: [UInt8]
        var perform: @Sendable (CallContext) async throws -> UpstreamJob
        /// Called once the new operation is stored (not on replays), e.g. to start a drill's report.
        var started: (@Sendable (StartedWrite) async -> Void)?
    }

    /// A write that reached upstream and became an operation.
    struct StartedWrite: Sendable {
        var operation: GatewayOperation
        var tenant: String
        /// When the request arrived.
        var requestedAt: Date
        /// Request ids of the upstream calls the write made.
        var upstreamRequestIds: [String]
    }

    /// Who asks for a write: an HTTP request, or the gateway itself (the cleanup sweeper, the
    /// scheduler), which goes through the same exactly-once path with a key of its own.
    struct Origin: Sendable {
        var tenant: String
        var method: String
        var path: String
        var key: String?
        var wait: Int?
        var requestId: String
        var traceparent: String?
    }

    /// Runs `perform` on the account's provider as one exactly-once write.
    func execute(
        on account: AccountRegistry.Entry, kind: String, resource: ResourceReference, canonicalBody: [UInt8] = [],
        request: Request, context: GatewayRequestContext, started: (@Sendable (StartedWrite) async -> Void)? = nil,
        perform: @escaping @Sendable (any Provider, CallContext) async throws -> UpstreamJob
    ) async throws -> Response {
        let provider = account.provider
        let write = Write(account: account, kind: kind, resource: resource, canonicalBody: canonicalBody, perform: { try await perform(provider, $0) }, started: started)
        return try await execute(write, request: request, context: context)
    }

    func execute(_ write: Write, request: Request, context: GatewayRequestContext) async throws -> Response {
        guard let tenant = context.tenant else { throw Problem(.unauthenticated, detail: "Not authenticated.") }
        let origin = Origin(
            tenant: tenant.name, method: request.method.rawValue, path: request.uri.path,
            key: try Self.idempotencyKey(request.headers[.idempotencyKey]), wait: Self.preferWait(request.headers[.prefer]),
            requestId: context.requestId, traceparent: request.headers[.traceparent])
        let (record, replayed) = try await run(write, origin: origin)
        return Self.response(record, replayed: replayed)
    }

    /// The exactly-once write itself: the stored answer to send and whether it is a replay.
    func run(_ write: Write, origin: Origin) async throws -> (StoredResponse, replayed: Bool) {
        let method = origin.method
        let path = origin.path
        let key = origin.key
        let wait = origin.wait
        let now = clock()

        var operationId = OpaqueID.random(prefix: "op")
        var reconcile = false
        var scope: IdempotencyScope?
        var clientToken: String?
        if let key {
            let s = IdempotencyScope(tenant: origin.tenant, method: method, path: path, key: key)
            scope = s
            let fingerprint = Self.fingerprint(method: method, path: path, body: write.canonicalBody)
            switch try await idempotency.begin(s, fingerprint: fingerprint, operationId: operationId, leaseSeconds: leaseSeconds, now: now) {
            case .completed(let stored):
                return (stored, true)
            case .inFlight:
                throw Problem(.idempotencyKeyInUse, detail: "A request with this Idempotency-Key is still in progress.", retryAfter: 1)
            case .fingerprintMismatch:
                throw Problem(.idempotencyKeyReused, detail: "This Idempotency-Key was used with a different request body.")
            case .started(let id):
                operationId = id
            case .takenOver(let id):
                operationId = id
                reconcile = true
            }
            clientToken = Self.clientToken(tenant: origin.tenant, key: key, method: method, path: path)
        }

        // A replay after a crash: when the operation was already saved, its job is known and
        // nothing is sent upstream again.
        if reconcile, let existing = try await operations.operation(id: operationId, tenant: origin.tenant) {
            return (try await answer(existing.operation, wait: wait, tenant: origin.tenant, scope: scope), false)
        }

        let call = CallContext(
            requestId: origin.requestId, clientToken: clientToken, traceparent: origin.traceparent, reconcile: reconcile,
            background: background
        )
        let job: UpstreamJob
        let requestIds = write.started == nil ? nil : UpstreamRequestIDs()
        do {
            job = try await UpstreamRequestIDs.$current.withValue(requestIds) { try await write.perform(call) }
        } catch {
            let problem = ProblemResponse.problem(for: error).namingMissing(write.resource)
            if let scope {
                if problem.retryable || problem.status >= 500 {
                    // Outcome unknown or worth retrying: the next replay of the key runs again (reconciling).
                    try? await idempotency.release(scope)
                } else {
                    try? await idempotency.complete(scope, response: Self.problemRecord(problem), now: clock())
                }
            }
            throw problem
        }
        let stamp = Timestamp.rfc3339(clock())
        let operation = GatewayOperation(
            id: operationId, account: write.account.settings.id, kind: job.kind, status: .running,
            createdAt: stamp, updatedAt: stamp, resource: job.resource
        )
        let stored = StoredOperation(tenant: origin.tenant, operation: operation, job: job, nextPollAt: clock().addingTimeInterval(0.2))
        let accepted = Self.acceptedRecord(operation)
        let operations = self.operations
        let savedAt = clock()
        let savedScope = scope
        // The operation and the key's 202 in one transaction (a crash leaves both or neither),
        // written while the `started` hook writes its own record (a drill's report): two commits
        // at once instead of one after the other. Both end before the answer.
        async let saved: Void = {
            if let savedScope {
                try await operations.save(stored, completing: savedScope, response: accepted, now: savedAt)
            } else {
                try await operations.save(stored)
            }
        }()
        if let started = write.started {
            await started(StartedWrite(operation: operation, tenant: origin.tenant, requestedAt: now, upstreamRequestIds: requestIds?.all ?? []))
        }
        try await saved
        return (try await answer(operation, wait: wait, tenant: origin.tenant, scope: scope, storedAccepted: accepted), false)
    }

    /// Answers a started operation and stores that answer under the key: the 202 at once (so a
    /// crash during a `Prefer: wait` still leaves a replayable record; `storedAccepted` when the
    /// caller already stored it together with the operation), then, when the wait saw the
    /// operation end, the 200 that was actually sent, so that a replay returns what the first
    /// request got.
    private func answer(
        _ operation: GatewayOperation, wait: Int?, tenant: String, scope: IdempotencyScope?, storedAccepted: StoredResponse? = nil
    ) async throws -> StoredResponse {
        let accepted = storedAccepted ?? Self.acceptedRecord(operation)
        if let scope, storedAccepted == nil { try await idempotency.complete(scope, response: accepted, now: clock()) }
        let record = try await respond(operation, wait: wait, tenant: tenant) ?? accepted
        if let scope, record.status != accepted.status {
            try await idempotency.complete(scope, response: record, now: clock())
        }
        return record
    }

    /// The 200 with the final operation when `Prefer: wait` saw it end (or it had ended); nil for the 202.
    private func respond(_ operation: GatewayOperation, wait: Int?, tenant: String) async throws -> StoredResponse? {
        guard let wait else { return nil }
        if operation.status.isTerminal { return Self.finishedRecord(operation, wait: wait) }
        let operations = self.operations
        let id = operation.id
        await waiters.wait(for: id, seconds: Double(wait)) {
            (try? await operations.operation(id: id, tenant: tenant))?.operation.status.isTerminal ?? false
        }
        if let latest = try await operations.operation(id: id, tenant: tenant)?.operation, latest.status.isTerminal {
            return Self.finishedRecord(latest, wait: wait)
        }
        return nil
    }

    /// The 200 answer of an operation that ended within `Prefer: wait`, as sent and as stored for replays.
    static func finishedRecord(_ operation: GatewayOperation, wait: Int) -> StoredResponse {
        StoredResponse(
            status: 200,
            headers: [
                "Content-Type": "application/json", "Location": "/v1/operations/\(operation.id)",
                "Preference-Applied": "wait=\(wait)",
            ],
            body: operation.jsonBytes
        )
    }

    // MARK: Pure helpers

    /// 1–255 printable ASCII; the IETF draft's quoted form `"…"` is accepted too.
    static func idempotencyKey(_ header: String?) throws -> String? {
        guard var key = header else { return nil }
        if key.count >= 2, key.hasPrefix("\""), key.hasSuffix("\"") { key = String(key.dropFirst().dropLast()) }
        guard !key.isEmpty, key.utf8.count <= 255, key.utf8.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) else {
            throw Problem.invalid([FieldError(field: "Idempotency-Key", message: "must be 1 to 255 printable ASCII characters")])
        }
        return key
    }

    /// `Prefer: wait=N` with N capped at 60.
    static func preferWait(_ header: String?) -> Int? {
        guard let header else { return nil }
        for part in header.split(separator: ",") + header.split(separator: ";") {
            let item = ASCIIText.trimmed(part).lowercased()
            if item.hasPrefix("wait="), let value = Int(item.dropFirst(5)), value >= 0 { return min(value, 60) }
        }
        return nil
    }

    /// SHA-256 over method, path and the canonical JSON body.
    static func fingerprint(method: String, path: String, body: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(data: Array("\(method)\n\(path)\n".utf8))
        hasher.update(data: body)
        return Digest.hex(hasher.finalize())
    }

    /// The upstream ClientToken for a key: stable, ASCII, 45 characters.
    static func clientToken(tenant: String, key: String, method: String, path: String) -> String {
        "drgw-" + String(Digest.sha256Hex("\(tenant)\u{0}\(key)\u{0}\(method)\u{0}\(path)").prefix(40))
    }

    static func replay(_ stored: StoredResponse) -> Response {
        response(stored, replayed: true)
    }

    static func response(_ stored: StoredResponse, replayed: Bool) -> Response {
        var headers: HTTPFields = [:]
        for (name, value) in stored.headers.sorted(by: { $0.key < $1.key }) {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        if replayed {
            headers[.idempotentReplayed] = "true"
            // The stored body is the operation as it was then; this is where it is now.
            if let location = stored.headers["Location"] { headers[HTTPField.Name("Link")!] = "<\(location)>; rel=\"monitor\"" }
        }
        return Response(status: .init(code: stored.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: stored.body)))
    }

    /// The 202 answer of a started operation, as stored for replays.
    static func acceptedRecord(_ operation: GatewayOperation) -> StoredResponse {
        StoredResponse(
            status: 202,
            headers: ["Content-Type": "application/json", "Location": "/v1/operations/\(operation.id)", "Retry-After": "1"],
            body: operation.jsonBytes
        )
    }

    /// A final problem answer, as stored for replays (without the first request's id).
    static func problemRecord(_ problem: Problem) -> StoredResponse {
        var copy = problem
        copy.requestId = nil
        var headers = ["Content-Type": "application/problem+json"]
        if let retryAfter = problem.retryAfter { headers["Retry-After"] = String(retryAfter) }
        return StoredResponse(status: problem.status, headers: headers, body: Array((try? ProblemResponse.encoder.encode(copy)) ?? Data()))
    }
}
