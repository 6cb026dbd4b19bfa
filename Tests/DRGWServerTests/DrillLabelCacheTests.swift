@testable import DRGWServer
import DRGWStore
import Foundation
import NIOCore
import Synchronization
import Testing

@Suite("Drill label cache")
struct DrillLabelCacheTests {
    /// Counts the reads that reach the store and answers from a table.
    final class Reads: Sendable {
        let labels: [String: DrillLabel]
        private let calls = Mutex<[String]>([])

        init(_ labels: [String: DrillLabel]) {
            self.labels = labels
        }

        func read(_ account: String, _ drillId: String) async throws -> DrillLabel? {
            calls.withLock { $0.append(account + "/" + drillId) }
            return labels[account + "/" + drillId]
        }

        var made: [String] { calls.withLock { $0 } }
    }

    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    @Test func aFoundLabelIsReadOncePerLifetime() async throws {
        let reads = Reads(["acct/d1": DrillLabel(name: "monthly", expiresAt: Date(timeIntervalSince1970: 1_800_000_000))])
        let cache = DrillLabelCache(lifetime: .seconds(60))
        for second in [0, 1, 59] {
            let label = try await cache.label(account: "acct", drillId: "d1", now: start + .seconds(Int64(second)), read: reads.read)
            #expect(label?.name == "monthly")
        }
        #expect(reads.made == ["acct/d1"])
        // Past its lifetime the label is read again (a pruned report stops showing).
        _ = try await cache.label(account: "acct", drillId: "d1", now: start + .seconds(61), read: reads.read)
        #expect(reads.made == ["acct/d1", "acct/d1"])
    }

    @Test func aMissingLabelIsReadEveryTime() async throws {
        // A drill whose report has no drill id yet must show its name as soon as the report has it.
        let reads = Reads([:])
        let cache = DrillLabelCache()
        for _ in 0..<3 {
            #expect(try await cache.label(account: "acct", drillId: "d2", now: start, read: reads.read) == nil)
        }
        #expect(reads.made.count == 3)
        #expect(cache.count == 0)
    }

    @Test func accountsDoNotShareLabels() async throws {
        let reads = Reads(["a/d": DrillLabel(name: "of a"), "b/d": DrillLabel(name: "of b")])
        let cache = DrillLabelCache()
        #expect(try await cache.label(account: "a", drillId: "d", now: start, read: reads.read)?.name == "of a")
        #expect(try await cache.label(account: "b", drillId: "d", now: start, read: reads.read)?.name == "of b")
        #expect(try await cache.label(account: "a", drillId: "d", now: start, read: reads.read)?.name == "of a")
        #expect(reads.made == ["a/d", "b/d"])
    }

    @Test func memoryIsBounded() async throws {
        var table: [String: DrillLabel] = [:]
        for i in 0..<100 { table["acct/d\(i)"] = DrillLabel(name: "drill \(i)") }
        let reads = Reads(table)
        let cache = DrillLabelCache(capacity: 10)
        for i in 0..<100 {
            _ = try await cache.label(account: "acct", drillId: "d\(i)", now: start, read: reads.read)
            #expect(cache.count <= 10)
        }
        // The newest labels are still there; the oldest were dropped and are read again.
        _ = try await cache.label(account: "acct", drillId: "d99", now: start, read: reads.read)
        _ = try await cache.label(account: "acct", drillId: "d0", now: start, read: reads.read)
        #expect(reads.made.count == 101)
        #expect(reads.made.last == "acct/d0")
    }
}
