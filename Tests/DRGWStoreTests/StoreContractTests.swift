import DRGWCore
import DRGWStore
import DRGWTesting
import Foundation
import Testing

/// What every store back-end must do the same way: the gateway's idempotency and operation
/// rules rest on it. Each test runs against SQLite and PostgreSQL.
@Suite("Store contract (SQLite and PostgreSQL)")
struct StoreContractTests {
    let scope = IdempotencyScope(tenant: "t", method: "POST", path: "/v1/accounts/a/drills", key: "k")

    static func operation(_ id: String, account: String = "a", status: OperationStatus = .running, at date: Date = Date()) -> GatewayOperation {
        GatewayOperation(
            id: id, account: account, kind: "drill.create", status: status, createdAt: Timestamp.rfc3339(date),
            updatedAt: Timestamp.rfc3339(date), resource: ResourceReference(type: "drill", id: nil))
    }

    @Test(arguments: StoreBackend.all)
    func beginCompleteReplayAndMismatch(backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            let now = Date()
            #expect(try await store.begin(scope, fingerprint: "f1", operationId: "op_1", leaseSeconds: 30, now: now) == .started(operationId: "op_1"))
            #expect(try await store.begin(scope, fingerprint: "f1", operationId: "op_2", leaseSeconds: 30, now: now) == .inFlight)
            #expect(try await store.begin(scope, fingerprint: "f2", operationId: "op_3", leaseSeconds: 30, now: now) == .fingerprintMismatch)
            let answer = StoredResponse(status: 202, headers: ["Location": "/v1/operations/op_1"], body: Array(#"{"a":"\u00e9"}"#.utf8) + [0, 255])
            try await store.complete(scope, response: answer, now: now)
            #expect(try await store.begin(scope, fingerprint: "f1", operationId: "op_4", leaseSeconds: 30, now: now) == .completed(answer))
            // Another scope with the same key is another record.
            let other = IdempotencyScope(tenant: "t2", method: "POST", path: scope.path, key: scope.key)
            #expect(try await store.begin(other, fingerprint: "f1", operationId: "op_5", leaseSeconds: 30, now: now) == .started(operationId: "op_5"))
        }
    }

    @Test(arguments: StoreBackend.all)
    func endedOperationsPastRetentionArePurgedRunningOnesNever(backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            let old = Date().addingTimeInterval(-40 * 86400)
            let recent = Date().addingTimeInterval(-86400)
            try await store.save(StoredOperation(tenant: "t", operation: Self.operation("op_old_done", status: .succeeded, at: old), job: nil, nextPollAt: old))
            try await store.save(StoredOperation(tenant: "t", operation: Self.operation("op_old_failed", status: .failed, at: old), job: nil, nextPollAt: old))
            try await store.save(StoredOperation(tenant: "t", operation: Self.operation("op_old_running", at: old), job: nil, nextPollAt: old))
            try await store.save(StoredOperation(tenant: "t", operation: Self.operation("op_recent_done", status: .succeeded, at: recent), job: nil, nextPollAt: recent))
            // Ended through a poll's claimed save: its end time is set the same way.
            let claimed = try #require(try await store.claimDue(at: Date(), limit: 10, leaseSeconds: 30).first { $0.operation.id == "op_old_running" })
            var ended = claimed
            ended.operation.status = .succeeded
            ended.operation.updatedAt = Timestamp.rfc3339(old)
            #expect(try await store.saveClaimed(ended))
            try await store.save(StoredOperation(tenant: "t", operation: Self.operation("op_still_running", at: old), job: nil, nextPollAt: old))

            let purged = try await store.purgeOperations(endedBefore: Date().addingTimeInterval(-30 * 86400))
            #expect(purged == 3)
            for gone in ["op_old_done", "op_old_failed", "op_old_running"] {
                #expect(try await store.operation(id: gone, tenant: "t") == nil, "\(gone) was kept")
            }
            #expect(try await store.operation(id: "op_recent_done", tenant: "t") != nil)
            #expect(try await store.operation(id: "op_still_running", tenant: "t") != nil)
            #expect(try await store.purgeOperations(endedBefore: Date().addingTimeInterval(-30 * 86400)) == 0)
        }
    }

    @Test(arguments: StoreBackend.all)
    func anExpiredLeaseIsTakenOverOnceWithTheSameOperationId(backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            let now = Date()
            _ = try await store.begin(scope, fingerprint: "f", operationId: "op_1", leaseSeconds: 5, now: now)
            #expect(try await store.begin(scope, fingerprint: "f", operationId: "op_x", leaseSeconds: 5, now: now.addingTimeInterval(1)) == .inFlight)
            let later = now.addingTimeInterval(6)
            #expect(try await store.begin(scope, fingerprint: "f", operationId: "op_y", leaseSeconds: 5, now: later) == .takenOver(operationId: "op_1"))
            #expect(try await store.begin(scope, fingerprint: "f", operationId: "op_z", leaseSeconds: 5, now: later) == .inFlight)
            try await store.release(scope)
            #expect(try await store.begin(scope, fingerprint: "f", operationId: "op_w", leaseSeconds: 5, now: later) == .takenOver(operationId: "op_1"))
        }
    }

    @Test(arguments: StoreBackend.all)
    func recordsAndOperationsSurviveReopeningAndArePurged(backend: StoreBackend) async throws {
        let location = try await backend.makeLocation()
        defer { Task { await backend.remove(location) } }
        let old = Date().addingTimeInterval(-48 * 3600)
        do {
            let store = try await backend.open(location)
            _ = try await store.begin(scope, fingerprint: "f", operationId: "op_1", leaseSeconds: 30, now: old)
            let operation = Self.operation("op_1", at: old)
            let job = UpstreamJob(kind: "drill.create", resource: operation.resource, token: ["jobId": "j1"])
            try await store.save(StoredOperation(tenant: "t", operation: operation, job: job, nextPollAt: old))
            await store.close()
        }
        let store = try await backend.open(location)
        let due = try await store.claimDue(at: Date(), limit: 10, leaseSeconds: 30)
        #expect(due.map(\.operation.id) == ["op_1"])
        #expect(due.first?.job?.token["jobId"] == "j1")
        #expect(try await store.claimDue(at: Date(), limit: 10, leaseSeconds: 30).isEmpty)
        #expect(try await store.claimDue(at: Date().addingTimeInterval(31), limit: 10, leaseSeconds: 30).count == 1)
        #expect(try await store.operation(id: "op_1", tenant: "other") == nil)
        #expect(try await store.begin(scope, fingerprint: "other", operationId: "op_2", leaseSeconds: 30, now: Date()) == .fingerprintMismatch)
        #expect(try await store.purge(createdBefore: Date().addingTimeInterval(-24 * 3600)) == 1)
        #expect(try await store.begin(scope, fingerprint: "other", operationId: "op_2", leaseSeconds: 30, now: Date()) == .started(operationId: "op_2"))
        await store.close()
    }

    @Test(arguments: StoreBackend.all)
    func operationsPageByCursorAndFilter(backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            for i in 0..<5 {
                let operation = Self.operation("op_\(i)", account: i % 2 == 0 ? "a" : "b", status: i < 3 ? .succeeded : .running)
                try await store.save(StoredOperation(tenant: "t", operation: operation, job: nil, nextPollAt: Date()))
            }
            let first = try await store.list(OperationQuery(tenant: "t", limit: 2))
            #expect(first.items.map(\.id) == ["op_4", "op_3"])
            let second = try await store.list(OperationQuery(tenant: "t", cursor: first.nextCursor, limit: 2))
            #expect(second.items.map(\.id) == ["op_2", "op_1"])
            let last = try await store.list(OperationQuery(tenant: "t", cursor: second.nextCursor, limit: 2))
            #expect(last.items.map(\.id) == ["op_0"])
            #expect(last.nextCursor == nil)
            let filtered = try await store.list(OperationQuery(tenant: "t", accounts: ["a"], status: .succeeded, limit: 10))
            #expect(filtered.items.map(\.id) == ["op_2", "op_0"])
            #expect(try await store.list(OperationQuery(tenant: "t", accounts: [], limit: 10)).items.isEmpty)
            #expect(try await store.list(OperationQuery(tenant: "nobody", limit: 10)).items.isEmpty)
        }
    }

    @Test(arguments: StoreBackend.all)
    func anOperationAndItsKeysAnswerAreSavedTogether(backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            let now = Date()
            _ = try await store.begin(scope, fingerprint: "f", operationId: "op_1", leaseSeconds: 30, now: now)
            let operation = Self.operation("op_1", at: now)
            let accepted = StoredResponse(status: 202, headers: ["Location": "/v1/operations/op_1"], body: Array("{}".utf8))
            try await store.save(StoredOperation(tenant: "t", operation: operation, job: nil, nextPollAt: now), completing: scope, response: accepted, now: now)
            #expect(try await store.operation(id: "op_1", tenant: "t")?.operation == operation)
            #expect(try await store.begin(scope, fingerprint: "f", operationId: "op_2", leaseSeconds: 30, now: now) == .completed(accepted))
        }
    }

    /// Fencing: a poller that outlived its lease cannot overwrite the result of the poller that
    /// claimed the operation after it.
    @Test(arguments: StoreBackend.all)
    func aStaleClaimCannotOverwriteANewerOne(backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            let now = Date()
            try await store.save(StoredOperation(tenant: "t", operation: Self.operation("op_1", at: now), job: nil, nextPollAt: now))
            let first = try #require(try await store.claimDue(at: now, limit: 1, leaseSeconds: 5).first)
            // The first poller pauses past its lease; a second one claims the operation.
            let second = try #require(try await store.claimDue(at: now.addingTimeInterval(6), limit: 1, leaseSeconds: 5).first)
            #expect(second.leaseGeneration == first.leaseGeneration + 1)
            var finished = second
            finished.operation.status = .succeeded
            finished.polls += 1
            #expect(try await store.saveClaimed(finished))
            // The first poller wakes up with an older answer: dropped.
            var stale = first
            stale.nextPollAt = now.addingTimeInterval(7)
            stale.polls += 1
            #expect(try await store.saveClaimed(stale) == false)
            let stored = try #require(try await store.operation(id: "op_1", tenant: "t"))
            #expect(stored.operation.status == .succeeded)
            #expect(try await store.claimDue(at: now.addingTimeInterval(100), limit: 10, leaseSeconds: 5).isEmpty)
        }
    }

    /// Two replicas on one store: the same key begun on both at once starts once; claims split
    /// the due operations without overlap.
    @Test(arguments: StoreBackend.all)
    func twoReplicasShareKeysAndClaimsWithoutOverlap(backend: StoreBackend) async throws {
        try await backend.withStore { first, location in
            let second = try await backend.open(location)
            defer { Task { await second.close() } }
            let replicas: [any GatewayStore] = [first, second]
            let now = Date()
            let outcomes = try await withThrowingTaskGroup(of: IdempotencyBegin.self, returning: [IdempotencyBegin].self) { group in
                for i in 0..<32 {
                    let store = replicas[i % 2]
                    group.addTask { try await store.begin(scope, fingerprint: "f", operationId: "op_\(i)", leaseSeconds: 30, now: now) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let started = outcomes.filter { if case .started = $0 { return true } else { return false } }
            #expect(started.count == 1)
            #expect(outcomes.filter { $0 == .inFlight }.count == 31)

            for i in 0..<40 {
                try await first.save(StoredOperation(tenant: "t", operation: Self.operation("due_\(i)", at: now), job: nil, nextPollAt: now))
            }
            let claims = try await withThrowingTaskGroup(of: [String].self, returning: [[String]].self) { group in
                for i in 0..<8 {
                    let store = replicas[i % 2]
                    group.addTask { try await store.claimDue(at: now, limit: 7, leaseSeconds: 30).map(\.operation.id) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let all = claims.flatMap { $0 }
            #expect(all.count == 40, "claimed \(all.count)")
            #expect(Set(all).count == all.count, "an operation was claimed twice")
        }
    }
}
