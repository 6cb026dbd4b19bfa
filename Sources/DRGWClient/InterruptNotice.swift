import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Ctrl-C while `--wait` follows an operation: the operation goes on at the gateway, so the
/// command says how to pick it up again and exits 130 (the shell's code for SIGINT).
public final class InterruptNotice: Sendable {
    private let operationId = Mutex<String?>(nil)
    /// Only touched in `init` and `cancel`.
    nonisolated(unsafe) private let source: any DispatchSourceSignal

    public init(console: Console) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [self] in
            console.endStatus()
            if let id = operationId.withLock({ $0 }) {
                console.note("stopped waiting; operation \(id) keeps running at the gateway. Resume with: drgw operations wait \(id)")
            } else {
                console.note("interrupted")
            }
            exit(130)
        }
        source.resume()
    }

    /// The operation being waited for (nil when none).
    public func following(_ id: String?) {
        operationId.withLock { $0 = id }
    }

    /// Gives SIGINT its default meaning back.
    public func cancel() {
        source.setEventHandler(handler: nil)
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
