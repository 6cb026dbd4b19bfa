#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Kernel randomness fetched a page at a time: `SystemRandomNumberGenerator` makes one
/// `getrandom` system call per 8 bytes, two per request id; this pool makes one read per 4 KiB. The bytes are the kernel's own
/// CSPRNG output, handed out once each and never reused.
final class RandomPool: Sendable {
    static let shared = RandomPool()

    static let capacity = 4096

    private struct State {
        var buffer = [UInt8](repeating: 0, count: RandomPool.capacity)
        var next = RandomPool.capacity
    }

    private let state = Mutex(State())
    private let refill: @Sendable (UnsafeMutableRawBufferPointer) -> Void

    /// `refill` fills the whole buffer with random bytes (tests pass a counting source).
    init(refill: @escaping @Sendable (UnsafeMutableRawBufferPointer) -> Void = RandomPool.fillFromKernel) {
        self.refill = refill
    }

    /// `count` (≤ `capacity`) random bytes.
    func bytes(_ count: Int) -> [UInt8] {
        precondition(count >= 0 && count <= Self.capacity, "random request larger than the pool")
        return state.withLock { state in
            if state.next + count > state.buffer.count {
                state.buffer.withUnsafeMutableBytes { refill($0) }
                state.next = 0
            }
            defer { state.next += count }
            return Array(state.buffer[state.next..<state.next + count])
        }
    }

    /// The kernel's generator, read through one descriptor kept open for the process (on Linux
    /// `/dev/urandom` is the same source as `getrandom`); the system generator if it cannot be read.
    @Sendable static func fillFromKernel(_ buffer: UnsafeMutableRawBufferPointer) {
        var filled = 0
        if urandom >= 0 {
            while filled < buffer.count {
                let got = read(urandom, buffer.baseAddress! + filled, buffer.count - filled)
                if got > 0 {
                    filled += got
                } else if got < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
        }
        var generator = SystemRandomNumberGenerator()
        while filled < buffer.count {
            let word = generator.next() as UInt64
            for shift in stride(from: 0, to: 64, by: 8) where filled < buffer.count {
                buffer[filled] = UInt8(truncatingIfNeeded: word >> UInt64(shift))
                filled += 1
            }
        }
    }

    private static let urandom: Int32 = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
}
