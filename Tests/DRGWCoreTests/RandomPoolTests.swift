@testable import DRGWCore
import Synchronization
import Testing

@Suite("Random pool")
struct RandomPoolTests {
    /// A source that numbers every byte it ever hands out, so reuse would show as a repeated number.
    final class CountingSource: Sendable {
        let state = Mutex((fills: 0, counter: UInt32(0)))

        func fill(_ buffer: UnsafeMutableRawBufferPointer) {
            state.withLock { state in
                state.fills += 1
                for index in stride(from: 0, to: buffer.count, by: 4) {
                    withUnsafeBytes(of: state.counter.littleEndian) { word in
                        for offset in 0..<4 where index + offset < buffer.count { buffer[index + offset] = word[offset] }
                    }
                    state.counter += 1
                }
            }
        }
    }

    @Test func refillsOncePerPageAndNeverRepeatsBytes() {
        let source = CountingSource()
        let pool = RandomPool { source.fill($0) }
        var words: [UInt32] = []
        let takes = RandomPool.capacity / 16 * 3 + 5
        for _ in 0..<takes {
            let bytes = pool.bytes(16)
            #expect(bytes.count == 16)
            for index in stride(from: 0, to: 16, by: 4) {
                words.append(UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16 | UInt32(bytes[index + 3]) << 24)
            }
        }
        #expect(source.state.withLock { $0.fills } == 4)
        #expect(Set(words).count == words.count)
        #expect(words == (0..<UInt32(words.count)).map { $0 })
    }

    @Test func aTakeThatDoesNotFitStartsAFreshPage() {
        let source = CountingSource()
        let pool = RandomPool { source.fill($0) }
        _ = pool.bytes(RandomPool.capacity - 8)
        let next = pool.bytes(16)
        #expect(source.state.withLock { $0.fills } == 2)
        // The 16 bytes come from the start of the second page, not the 8 left of the first.
        #expect(next[0..<4] == [0, 4, 0, 0])
    }

    @Test func kernelFillCoversTheWholeBuffer() {
        var first = [UInt8](repeating: 0, count: RandomPool.capacity)
        var second = first
        first.withUnsafeMutableBytes { RandomPool.fillFromKernel($0) }
        second.withUnsafeMutableBytes { RandomPool.fillFromKernel($0) }
        #expect(first != second)
        // 4 096 random bytes: every value shows up, and no 256-byte stretch at the end stays zero.
        #expect(Set(first).count > 200)
        #expect(first.suffix(256).contains { $0 != 0 })
    }

    @Test func concurrentTakesAreDistinct() async {
        let ids = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<500).map { _ in RandomID.hex128() } }
            }
            var all: [String] = []
            for await part in group { all += part }
            return all
        }
        #expect(ids.count == 4000)
        #expect(Set(ids).count == ids.count)
    }
}
