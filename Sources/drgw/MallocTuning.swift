#if canImport(Glibc)
import Glibc
#endif

/// glibc's allocator hands freed memory at the top of each thread arena back to the kernel with
/// `madvise` once more than the trim threshold (128 KiB by default) is free there. GRDB's writer
/// queue allocates and frees in bursts, so under a create load it trimmed several times a second,
/// and every trim is a TLB shoot-down across all cores (3 % of the gateway's CPU per drill create
/// in `scripts/bench`).
/// A fixed threshold keeps that memory in the process instead; the peak RSS does not change.
/// `MALLOC_TRIM_THRESHOLD_` in the environment still wins (glibc reads it first).
enum MallocTuning {
    /// Bytes that may stay free at the top of an arena before glibc returns them.
    static let trimThreshold: Int32 = 32 << 20

    /// `M_TRIM_THRESHOLD` from `<malloc.h>`, which Swift's Glibc module does not export.
    static let mTrimThreshold: Int32 = -1

    static func apply() {
        #if canImport(Glibc)
        guard getenv("MALLOC_TRIM_THRESHOLD_") == nil, let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else {
            return
        }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        _ = unsafeBitCast(symbol, to: Mallopt.self)(mTrimThreshold, trimThreshold)
        #endif
    }
}
