import CLinuxEvents
import Foundation
import Synchronization

/// The thread that waits on curl's sockets for every `CurlLoopDriver` of a transport.
///
/// It runs no curl code: `epoll_wait` over the sockets the drivers registered (one-shot, so a ready
/// socket is reported once until its driver arms it again), then one task per driver on that
/// driver's event loop with the sockets that became ready.
final class CurlSocketWatcher: @unchecked Sendable {
    private let epollFD: Int32
    /// Written by `stop` to make the thread leave `epoll_wait`.
    private let wakeFD: Int32
    private let stopping = Atomic<Bool>(false)
    /// Set once by the transport before the thread starts; read by the thread only.
    private var drivers: [CurlLoopDriver] = []

    private static let wakeTag = UInt64.max

    init() {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard epollFD >= 0, wakeFD >= 0 else { fatalError("epoll_create1/eventfd failed for the curl socket watcher") }
        var wakeEvent = epoll_event()
        wakeEvent.events = EPOLLIN.rawValue
        wakeEvent.data.u64 = Self.wakeTag
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &wakeEvent) == 0 else { fatalError("epoll_ctl failed for the watcher wake-up") }
    }

    /// Starts the thread for `drivers` (indexed by `CurlLoopDriver.index`).
    func start(drivers: [CurlLoopDriver]) {
        self.drivers = drivers
        let thread = Thread { [self] in
            // Named from inside: on Linux a name set before `start()` does not reach the kernel.
            Thread.current.name = "drgw-curl-watch"
            self.run()
        }
        thread.start()
    }

    /// Reports `socket` to `driver` once when one of `events` happens (any thread).
    func watch(_ socket: Int32, events: UInt32, driver: Int, known: Bool) {
        var event = epoll_event()
        event.events = events | EPOLLONESHOT.rawValue
        event.data.u64 = UInt64(driver) << 32 | UInt64(UInt32(bitPattern: socket))
        // The kernel drops a closed descriptor from the set by itself, so a reused number may be
        // unknown to the set or still in it: fall back from MOD to ADD and from ADD to MOD.
        if epoll_ctl(epollFD, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, socket, &event) != 0 {
            _ = epoll_ctl(epollFD, known ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, socket, &event)
        }
    }

    func unwatch(_ socket: Int32) {
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, socket, nil)
    }

    /// Ends the thread (any thread; once).
    func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = eventfd_write(wakeFD, 1)
    }

    private func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        var batches = [[(socket: Int32, events: UInt32)]](repeating: [], count: drivers.count)
        while !stopping.load(ordering: .acquiring) {
            let ready = events.withUnsafeMutableBufferPointer { buffer in
                epoll_wait(epollFD, buffer.baseAddress, Int32(buffer.count), -1)
            }
            if ready < 0 {
                if errno != EINTR { Thread.sleep(forTimeInterval: 0.01) }
                continue
            }
            for index in 0..<Int(ready) {
                let tag = events[index].data.u64
                if tag == Self.wakeTag { continue }
                let driver = Int(tag >> 32)
                guard driver < batches.count else { continue }
                batches[driver].append((Int32(bitPattern: UInt32(truncatingIfNeeded: tag)), events[index].events))
            }
            for driver in batches.indices where !batches[driver].isEmpty {
                let batch = batches[driver]
                batches[driver].removeAll(keepingCapacity: true)
                let target = drivers[driver]
                target.loop.execute { target.ready(batch) }
            }
        }
        drivers = []
    }

    // The descriptors live as long as a driver may still call `watch`/`unwatch`: closing them when the
    // thread ends could let those calls reach a reused descriptor number.
    deinit {
        close(epollFD)
        close(wakeFD)
    }
}
