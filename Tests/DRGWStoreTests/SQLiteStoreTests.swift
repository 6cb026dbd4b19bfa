import DRGWCore
@testable import DRGWStore
import Foundation
import GRDB
import Logging
import Testing

/// What only the SQLite store does (group commit, WAL checkpoints, its first schema); the shared
/// behaviour is in StoreContractTests.
@Suite("SQLite store (SQLite only)")
struct SQLiteStoreTests {
    let scope = IdempotencyScope(tenant: "t", method: "POST", path: "/v1/accounts/a/drills", key: "k")

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
                        let operation = GatewayOperation(
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
