import DRGWCore
@testable import DRGWStore
import Foundation
import GRDB
import Logging
import Testing

@Suite("SQLite store (SQLite only)")
struct SQLiteStoreTests {
    let scope = IdempotencyScope(tenant: "t", method: "POST", path: "/v1/accounts/a/drills", key: "k")

    @Test func beginCompleteReplayAndMismatch() async throws {
        let store = try await SQLiteStore.inMemory()
        let now = Date()
        #expect(try await store.begin(scope, fingerprint: "f1", operationId: "op_1", leaseSeconds: 30, now: now) == .started(operationId: "op_1"))
        #expect(try await store.begin(scope, fingerprint: "f1", operationId: "op_2", leaseSeconds: 30, now: now) == .inFlight)
        #expect(try await store.begin(scope, fingerprint: "f2", operationId: "op_3", leaseSeconds: 30, now: now) == .fingerprintMismatch)
        let answer = StoredResponse(status: 202, headers: ["Location": "/v1/operations/op_1"], body: Array("{}".utf8))
        try await store.complete(scope, response: answer, now: now)
        #expect(try await store.begin(scope, fingerprint: "f1", operationId: "op_4", leaseSeconds: 30, now: now) == .completed(answer))
        await store.close()
    }

    @Test func anExpiredLeaseIsTakenOverOnceWithTheSameOperationId() async throws {
        let store = try await SQLiteStore.inMemory()
        let now = Date()
        _ = try await store.begin(scope, fingerprint: "f", operationId: "op_1", leaseSeconds: 5, now: now)
        #expect(try await store.begin(scope, fingerprint: "f", operationId: "op_x", leaseSeconds: 5, now: now.addingTimeInterval(1)) == .inFlight)
        let later = now.addingTimeInterval(6)
        #expect(try await store.begin(scope, fingerprint: "f", operationId: "op_y", leaseSeconds: 5, now: later) == .takenOver(operationId: "op_1"))
        // The new lease holds against a second taker.
        #expect(try await store.begin(scope, fingerprint: "f", operationId: "op_z", leaseSeconds: 5, now: later) == .inFlight)
        // Released: the next replay takes over at once.
        try await store.release(scope)
        #expect(try await store.begin(scope, fingerprint: "f", operationId: "op_w", leaseSeconds: 5, now: later) == .takenOver(operationId: "op_1"))
        await store.close()
    }

    @Test func recordsAndOperationsSurviveReopeningAndArePurged() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("drgw-store-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let logger = Logger(label: "store-test")
        let old = Date().addingTimeInterval(-48 * 3600)
        do {
            let store = try await SQLiteStore.open(path: path, logger: logger)
            _ = try await store.begin(scope, fingerprint: "f", operationId: "op_1", leaseSeconds: 30, now: old)
            let operation = Operation(
                id: "op_1", account: "a", kind: "drill.create", status: .running, createdAt: Timestamp.rfc3339(old),
                updatedAt: Timestamp.rfc3339(old), resource: ResourceReference(type: "drill", id: nil))
            let job = UpstreamJob(kind: "drill.create", resource: operation.resource, token: ["jobId": "j1"])
            try await store.save(StoredOperation(tenant: "t", operation: operation, job: job, nextPollAt: old))
            await store.close()
        }
        let store = try await SQLiteStore.open(path: path, logger: logger)
        let due = try await store.claimDue(at: Date(), limit: 10, leaseSeconds: 30)
        #expect(due.map(\.operation.id) == ["op_1"])
        #expect(due.first?.job?.token["jobId"] == "j1")
        // Claimed: a second poller (another replica) gets nothing until the lease passes.
        #expect(try await store.claimDue(at: Date(), limit: 10, leaseSeconds: 30).isEmpty)
        #expect(try await store.claimDue(at: Date().addingTimeInterval(31), limit: 10, leaseSeconds: 30).count == 1)
        #expect(try await store.operation(id: "op_1", tenant: "other") == nil)
        #expect(try await store.begin(scope, fingerprint: "other", operationId: "op_2", leaseSeconds: 30, now: Date()) == .fingerprintMismatch)
        #expect(try await store.purge(createdBefore: Date().addingTimeInterval(-24 * 3600)) == 1)
        #expect(try await store.begin(scope, fingerprint: "other", operationId: "op_2", leaseSeconds: 30, now: Date()) == .started(operationId: "op_2"))
        await store.close()
    }

    @Test func recordsWrittenInTheFirstSchemaStillReplayAfterTheMigration() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("drgw-store-v1-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let answer = StoredResponse(status: 202, headers: ["Location": "/v1/operations/op_1", "Retry-After": "1"], body: Array(#"{"id":"op_1"}"#.utf8))
        do {  // a file as the first schema version wrote it: the answer as one JSON text
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                try db.execute(sql: "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY)")
                for statement in SQLiteStore.migrations[0] { try db.execute(sql: statement) }
                try db.execute(sql: "INSERT INTO schema_migrations(version) VALUES (1)")
                try db.execute(
                    sql: """
                        INSERT INTO idempotency_records VALUES (?, ?, ?, ?, 'f', 'completed', 'op_1', 0, ?, ?)
                        """,
                    arguments: [scope.tenant, scope.method, scope.path, scope.key,
                                String(decoding: try JSONEncoder().encode(answer), as: UTF8.self), Date().timeIntervalSince1970])
            }
            try queue.close()
        }
        let store = try await SQLiteStore.open(path: path, logger: Logger(label: "store-test"))
        #expect(try await store.begin(scope, fingerprint: "f", operationId: "op_9", leaseSeconds: 30, now: Date()) == .completed(answer))
        #expect(try await store.begin(scope, fingerprint: "g", operationId: "op_9", leaseSeconds: 30, now: Date()) == .fingerprintMismatch)
        // a record completed now is stored in the new columns and replays the same way
        let other = IdempotencyScope(tenant: "t", method: "POST", path: "/v1/accounts/a/drills", key: "k2")
        #expect(try await store.begin(other, fingerprint: "f", operationId: "op_2", leaseSeconds: 30, now: Date()) == .started(operationId: "op_2"))
        let binary = StoredResponse(status: 409, headers: [:], body: [0, 255, 10, 34])
        try await store.complete(other, response: binary, now: Date())
        #expect(try await store.begin(other, fingerprint: "f", operationId: "op_3", leaseSeconds: 30, now: Date()) == .completed(binary))
        await store.close()
    }

    @Test func operationsPageByCursorAndFilter() async throws {
        let store = try await SQLiteStore.inMemory()
        for i in 0..<5 {
            let operation = Operation(
                id: "op_\(i)", account: i % 2 == 0 ? "a" : "b", kind: "drill.create", status: i < 3 ? .succeeded : .running,
                createdAt: "2026-01-01T00:00:00.000Z", updatedAt: "2026-01-01T00:00:00.000Z", resource: ResourceReference(type: "drill", id: nil))
            try await store.save(StoredOperation(tenant: "t", operation: operation, job: nil, nextPollAt: Date()))
        }
        let first = try await store.list(OperationQuery(tenant: "t", limit: 2))
        #expect(first.items.map(\.id) == ["op_4", "op_3"])
        let second = try await store.list(OperationQuery(tenant: "t", cursor: first.nextCursor, limit: 2))
        #expect(second.items.map(\.id) == ["op_2", "op_1"])
        let filtered = try await store.list(OperationQuery(tenant: "t", accounts: ["a"], status: .succeeded, limit: 10))
        #expect(filtered.items.map(\.id) == ["op_2", "op_0"])
        #expect(try await store.list(OperationQuery(tenant: "nobody", limit: 10)).items.isEmpty)
        await store.close()
    }

    @Test func concurrentWritesAreGroupCommittedAndAllPersist() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("drgw-batch-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let logger = Logger(label: "store-test")
        let now = Date()
        do {
            let store = try await SQLiteStore.open(path: path, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<200 {
                    group.addTask {
                        let key = IdempotencyScope(tenant: "t", method: "POST", path: "/p", key: "k\(i)")
                        #expect(try await store.begin(key, fingerprint: "f", operationId: "op_\(i)", leaseSeconds: 30, now: now) == .started(operationId: "op_\(i)"))
                        let operation = Operation(
                            id: "op_\(i)", account: "a", kind: "drill.create", status: .running, createdAt: Timestamp.rfc3339(now),
                            updatedAt: Timestamp.rfc3339(now), resource: ResourceReference(type: "drill", id: nil))
                        try await store.save(StoredOperation(tenant: "t", operation: operation, job: nil, nextPollAt: now))
                        try await store.complete(key, response: StoredResponse(status: 202, headers: [:], body: Array("\(i)".utf8)), now: now)
                    }
                }
                try await group.waitForAll()
            }
            await store.close()
        }
        // Reopened from disk: every acknowledged write is there.
        let store = try await SQLiteStore.open(path: path, logger: logger)
        for i in [0, 57, 199] {
            let key = IdempotencyScope(tenant: "t", method: "POST", path: "/p", key: "k\(i)")
            let replay = try await store.begin(key, fingerprint: "f", operationId: "x", leaseSeconds: 30, now: now)
            #expect(replay == .completed(StoredResponse(status: 202, headers: [:], body: Array("\(i)".utf8))))
        }
        #expect(try await store.claimDue(at: now.addingTimeInterval(1), limit: 500, leaseSeconds: 30).count == 200)
        await store.close()
    }

    @Test func aFailingWriteInABatchFailsAloneAndTheOthersCommit() async throws {
        let store = try await SQLiteStore.inMemory()
        let batcher = store.batcher
        try await batcher.write { db in try db.execute(sql: "CREATE TABLE t (v INTEGER NOT NULL UNIQUE)") }
        let outcomes = await withTaskGroup(of: Bool.self, returning: [Bool].self) { group in
            for v in [1, 2, 2, 3] {  // the second 2 breaks the UNIQUE constraint
                group.addTask { (try? await batcher.write { db in try db.execute(sql: "INSERT INTO t (v) VALUES (?)", arguments: [v]) }) != nil }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 3)
        #expect(outcomes.filter { !$0 }.count == 1)
        let rows = try await batcher.write { db in try Int.fetchAll(db, sql: "SELECT v FROM t ORDER BY v") }
        #expect(rows == [1, 2, 3])
        await store.close()
    }

    @Test func anOperationAndItsKeysAnswerAreSavedTogether() async throws {
        let store = try await SQLiteStore.inMemory()
        let now = Date()
        _ = try await store.begin(scope, fingerprint: "f", operationId: "op_1", leaseSeconds: 30, now: now)
        let operation = Operation(
            id: "op_1", account: "a", kind: "drill.create", status: .running, createdAt: Timestamp.rfc3339(now),
            updatedAt: Timestamp.rfc3339(now), resource: ResourceReference(type: "drill", id: nil))
        let accepted = StoredResponse(status: 202, headers: ["Location": "/v1/operations/op_1"], body: Array("{}".utf8))
        try await store.save(StoredOperation(tenant: "t", operation: operation, job: nil, nextPollAt: now), completing: scope, response: accepted, now: now)
        #expect(try await store.operation(id: "op_1", tenant: "t")?.operation == operation)
        #expect(try await store.begin(scope, fingerprint: "f", operationId: "op_2", leaseSeconds: 30, now: now) == .completed(accepted))
        await store.close()
    }

    @Test func writesAloneCommitInlineAndABurstIsGroupedThenInlineAgain() async throws {
        let store = try await SQLiteStore.inMemory()
        let batcher = store.batcher
        try await batcher.write { db in try db.execute(sql: "CREATE TABLE t (v INTEGER NOT NULL UNIQUE)") }
        for v in 0..<5 { try await batcher.write { db in try db.execute(sql: "INSERT INTO t (v) VALUES (?)", arguments: [v]) } }
        #expect(batcher.counts == WriteBatcher.Counts(inline: 6, grouped: 0, checkpoints: 0))
        // A failing inline write is rolled back whole: its first row is not kept either.
        await #expect(throws: DatabaseError.self) {
            try await batcher.write { db in
                try db.execute(sql: "INSERT INTO t (v) VALUES (100)")
                try db.execute(sql: "INSERT INTO t (v) VALUES (0)")
            }
        }
        // A burst: one write holds the writer (inline, behind a gate) while 100 others arrive; they
        // queue, and commit in group transactions once the gate opens. (The holder blocks one of the
        // pool's threads; with a single thread nothing else could run meanwhile.)
        if ProcessInfo.processInfo.activeProcessorCount > 1 {
            let gate = DispatchSemaphore(value: 0)
            let inlineBefore = batcher.counts.inline
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await batcher.write { db in
                        _ = gate.wait(timeout: .now() + 10)
                        try db.execute(sql: "INSERT INTO t (v) VALUES (9)")
                    }
                }
                try await Self.waitUntil { batcher.counts.inline > inlineBefore }
                for v in 10..<110 {
                    group.addTask { try await batcher.write { db in try db.execute(sql: "INSERT INTO t (v) VALUES (?)", arguments: [v]) } }
                }
                try await Self.waitUntil { batcher.queued == 100 }
                gate.signal()
                try await group.waitForAll()
            }
            #expect(batcher.counts.grouped == 100)
        } else {
            for v in 9..<110 { try await batcher.write { db in try db.execute(sql: "INSERT INTO t (v) VALUES (?)", arguments: [v]) } }
        }
        let afterBurst = batcher.counts
        #expect(afterBurst.inline + afterBurst.grouped == 7 + 101)
        // Alone again: after a few queued writes (groups of one) the contention ends and writes run inline.
        let alone = Array(200...(200 + WriteBatcher.calmGroups))
        for v in alone { try await batcher.write { db in try db.execute(sql: "INSERT INTO t (v) VALUES (?)", arguments: [v]) } }
        #expect(batcher.counts.inline >= afterBurst.inline + 1)
        #expect(batcher.counts.inline + batcher.counts.grouped == afterBurst.inline + afterBurst.grouped + alone.count)
        let rows = try await batcher.write { db in try Int.fetchAll(db, sql: "SELECT v FROM t ORDER BY v") }
        #expect(rows == Array(0..<5) + Array(9..<110) + alone)
        await store.close()
    }

    @Test func walCheckpointsAreQueuedByTheBatcherNotRunInsideCommits() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("drgw-ckpt-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try await SQLiteStore.open(path: path, logger: Logger(label: "store-test"))
        let batcher = store.batcher
        // SQLite's own checkpoint is off on the connection that commits.
        #expect(try await batcher.write { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") } == 0)
        try await batcher.write { db in try db.execute(sql: "CREATE TABLE t (v INTEGER NOT NULL)") }
        for v in 0..<(WriteBatcher.checkpointCommits + 10) {
            try await batcher.write { db in try db.execute(sql: "INSERT INTO t (v) VALUES (?)", arguments: [v]) }
        }
        #expect(batcher.counts.checkpoints == 1)
        await store.close()
        let reopened = try await SQLiteStore.open(path: path, logger: Logger(label: "store-test"))
        #expect(try await reopened.batcher.write { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM t") } == WriteBatcher.checkpointCommits + 10)
        await reopened.close()
    }

    /// Yields until `condition` holds; fails the test after `seconds`.
    static func waitUntil(seconds: Double = 10, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not met within \(seconds) s")
                return
            }
            await Task.yield()
        }
    }
}
