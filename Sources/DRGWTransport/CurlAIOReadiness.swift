import CLinuxEvents
import Foundation
import NIOCore
import NIOPosix

/// Readiness of one driver's sockets from Linux AIO polls, with no thread in between.
///
/// Each watch is a one-shot `IOCB_CMD_POLL` whose completion signals an eventfd; that eventfd is a
/// NIO pipe channel on the driver's own event loop, so a socket that becomes ready wakes the loop
/// that owns it directly (the kernel signals the eventfd), and the loop reaps the completions and
/// hands them to curl. NIO cannot watch a descriptor it does not read from, and an eventfd is one
/// it can read. Loop-confined after `start`.
final class CurlAIOReadiness: CurlSocketReadiness, @unchecked Sendable {
    /// One submitted poll. Its iocb is freed when its completion is reaped, never before, so no two
    /// live polls share an iocb address (the kernel finds a poll to cancel by that address).
    private struct Poll {
        var iocb: UnsafeMutablePointer<iocb>
        var events: UInt32
        var generation: UInt32
    }

    /// Polls in flight per context by default. The system-wide `fs.aio-max-nr` bounds the sum of
    /// every process's contexts; sockets past it are watched by `overflow`.
    static let defaultCapacity = 256

    private let capacity: Int

    private let loop: any EventLoop
    private let context: drgw_aio_context
    private let eventFD: Int32
    /// Sockets that did not get a poll (more live sockets than `capacity`) are watched here instead.
    private let overflow: any CurlSocketReadiness
    private var overflowed: Set<Int32> = []
    /// The poll in flight per socket.
    private var polls: [Int32: Poll] = [:]
    /// Every iocb not yet reaped: in `polls`, or cancelled/replaced and waiting for its completion.
    private var outstanding: Set<UnsafeMutablePointer<iocb>> = []
    private var generation: UInt32 = 0
    private let completions: UnsafeMutablePointer<io_event>
    private var channel: (any Channel)?
    /// NIO owns the eventfd from `start` on, unless the registration failed.
    private var nioOwnsEventFD = false
    private var stopped = false
    /// Polls submitted and watches handed to `overflow`, since the start (tests).
    private(set) var submitted = 0
    private(set) var overflows = 0
    private let ready: ([(socket: Int32, events: UInt32)]) -> Void

    /// A context and eventfd for `loop`, or nil where Linux AIO polls are unavailable (an old kernel,
    /// a sandbox that forbids the system calls, or `fs.aio-max-nr` used up).
    static func make(
        loop: any EventLoop, capacity: Int = defaultCapacity, overflow: any CurlSocketReadiness,
        ready: @escaping ([(socket: Int32, events: UInt32)]) -> Void
    ) -> CurlAIOReadiness? {
        let capacity = max(1, capacity)
        var context: drgw_aio_context = 0
        guard drgw_aio_setup(UInt32(capacity), &context) == 0 else { return nil }
        let eventFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard eventFD >= 0 else {
            release(context: context)
            return nil
        }
        guard probe(context: context, eventFD: eventFD) else {
            release(context: context)
            close(eventFD)
            return nil
        }
        return CurlAIOReadiness(
            loop: loop, capacity: capacity, context: context, eventFD: eventFD, overflow: overflow, ready: ready)
    }

    /// Whether this process can use AIO polls now (a context made, probed and destroyed).
    static func available() -> Bool {
        var context: drgw_aio_context = 0
        guard drgw_aio_setup(1, &context) == 0 else { return false }
        defer { release(context: context) }
        let eventFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard eventFD >= 0 else { return false }
        defer { close(eventFD) }
        return probe(context: context, eventFD: eventFD)
    }

    /// Memory the kernel may still hold on to until its context is destroyed.
    private struct Leftovers: @unchecked Sendable {
        var iocbs: [UnsafeMutablePointer<iocb>]
        var completions: UnsafeMutablePointer<io_event>?
    }

    private static let releaser = DispatchQueue(label: "drgw.curl-aio-release")

    /// Destroys `context` (which cancels its polls and waits for the kernel) on a queue of its own,
    /// then frees what its polls used.
    private static func release(
        context: drgw_aio_context, iocbs: [UnsafeMutablePointer<iocb>] = [], completions: UnsafeMutablePointer<io_event>? = nil
    ) {
        let leftovers = Leftovers(iocbs: iocbs, completions: completions)
        releaser.async {
            _ = drgw_aio_destroy(context)
            for cb in leftovers.iocbs { cb.deallocate() }
            leftovers.completions?.deallocate()
        }
    }

    /// Checks that a poll on a pipe completes and signals the eventfd (kernels before 4.18 refuse
    /// the poll command; some sandboxes refuse the calls).
    private static func probe(context: drgw_aio_context, eventFD: Int32) -> Bool {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return false }
        defer {
            close(ends[0])
            close(ends[1])
        }
        let cb = UnsafeMutablePointer<iocb>.allocate(capacity: 1)
        defer { cb.deallocate() }
        guard drgw_aio_submit_poll(context, cb, ends[0], UInt32(POLLIN), eventFD, 7) == 0 else { return false }
        var byte: UInt8 = 1
        guard write(ends[1], &byte, 1) == 1 else {
            _ = drgw_aio_cancel(context, cb)
            return false
        }
        var event = io_event()
        var counter: UInt64 = 0
        for _ in 0..<100 {
            if drgw_aio_reap(context, &event, 1) == 1 {
                // The signal comes with the completion; reading it leaves the eventfd clear.
                return event.data == 7 && read(eventFD, &counter, 8) == 8
            }
            usleep(100)
        }
        _ = drgw_aio_cancel(context, cb)
        return false
    }

    private init(
        loop: any EventLoop, capacity: Int, context: drgw_aio_context, eventFD: Int32, overflow: any CurlSocketReadiness,
        ready: @escaping ([(socket: Int32, events: UInt32)]) -> Void
    ) {
        self.loop = loop
        self.capacity = capacity
        self.context = context
        self.eventFD = eventFD
        self.overflow = overflow
        self.ready = ready
        completions = .allocate(capacity: capacity)
    }

    /// Puts the eventfd on the loop (on the loop). Until it is there, completions wait in the kernel
    /// and the eventfd stays readable, so nothing is missed. When NIO refuses it, this readiness
    /// stops and `failed` runs (the driver then watches its sockets another way).
    func start(failed: @escaping @Sendable () -> Void) {
        loop.assertInEventLoop()
        nioOwnsEventFD = true
        NIOPipeBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Wake(owner: self)) }
            }
            .takingOwnershipOfDescriptor(input: eventFD)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    if self.stopped { channel.close(promise: nil) } else { self.channel = channel }
                case .failure:
                    self.nioOwnsEventFD = false
                    if self.stopped {
                        close(self.eventFD)
                    } else {
                        self.stop()  // closes the eventfd
                        failed()
                    }
                }
            }
    }

    func watch(_ socket: Int32, events: UInt32, known: Bool) {
        guard !stopped else { return }
        if let current = polls[socket] {
            if current.events == events { return }  // that poll still stands
            cancel(current)
        }
        generation &+= 1
        let cb = UnsafeMutablePointer<iocb>.allocate(capacity: 1)
        let tag = UInt64(generation) << 32 | UInt64(UInt32(bitPattern: socket))
        if outstanding.count < capacity, drgw_aio_submit_poll(context, cb, socket, events, eventFD, tag) == 0 {
            outstanding.insert(cb)
            submitted += 1
            polls[socket] = Poll(iocb: cb, events: events, generation: generation)
            if overflowed.remove(socket) != nil { overflow.unwatch(socket) }
        } else {
            cb.deallocate()
            polls[socket] = nil
            overflows += 1
            overflow.watch(socket, events: events, known: overflowed.contains(socket))
            overflowed.insert(socket)
        }
    }

    func unwatch(_ socket: Int32) {
        if let current = polls.removeValue(forKey: socket) { cancel(current) }
        if overflowed.remove(socket) != nil { overflow.unwatch(socket) }
    }

    func stop() {
        guard !stopped else { return }
        stopped = true
        for poll in polls.values { cancel(poll) }
        polls.removeAll()
        for socket in overflowed { overflow.unwatch(socket) }
        overflowed.removeAll()
        // Ending the context waits for the kernel to let go of it (an RCU grace period, ~30 ms):
        // done off the loop, which keeps serving the other connections meanwhile.
        Self.release(context: context, iocbs: Array(outstanding), completions: completions)
        outstanding.removeAll()
        if let channel {
            channel.close(promise: nil)
        } else if !nioOwnsEventFD {
            close(eventFD)
        }
    }

    private func cancel(_ poll: Poll) {
        // Its completion (cancelled, or ready just before) is reaped later and dropped as stale.
        _ = drgw_aio_cancel(context, poll.iocb)
    }

    /// Takes every completion there is and reports the current ones to the driver.
    fileprivate func reap() {
        guard !stopped else { return }
        var batch: [(socket: Int32, events: UInt32)] = []
        while true {
            let got = drgw_aio_reap(context, completions, Int32(capacity))
            guard got > 0 else { break }
            for index in 0..<Int(got) {
                let event = completions[index]
                if let cb = UnsafeMutablePointer<iocb>(bitPattern: UInt(event.obj)), outstanding.remove(cb) != nil {
                    cb.deallocate()
                }
                let socket = Int32(bitPattern: UInt32(truncatingIfNeeded: event.data))
                let generation = UInt32(truncatingIfNeeded: event.data >> 32)
                guard let poll = polls[socket], poll.generation == generation else { continue }  // cancelled or replaced
                polls[socket] = nil
                // A poll's result is the ready mask; a negative one is an error on the descriptor.
                let mask = event.res >= 0 ? UInt32(truncatingIfNeeded: event.res) : UInt32(POLLERR)
                batch.append((socket, mask))
            }
            if got < Int32(capacity) { break }
        }
        if !batch.isEmpty { ready(batch) }
    }

    /// Reads the eventfd (NIO does, which clears it) and reaps once per wake-up.
    private final class Wake: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        private let owner: CurlAIOReadiness

        init(owner: CurlAIOReadiness) {
            self.owner = owner
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

        func channelReadComplete(context: ChannelHandlerContext) {
            owner.reap()
        }
    }
}
