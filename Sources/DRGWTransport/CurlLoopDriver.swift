import CCurl
import CLinuxEvents
import DRGWCore
import Foundation
import NIOCore
import Synchronization

/// One libcurl multi handle owned by one NIO event loop.
///
/// Every curl call on the handle and its transfers runs on `loop`: a request handled on that loop
/// adds its transfer in place (curl writes the request from that thread at once), and the answer
/// is read, completed and handed back on the same thread, so a request that arrives on an event
/// loop never changes thread. NIO cannot watch a socket it does not own: curl's sockets are watched
/// by Linux AIO polls that wake this loop directly (`CurlAIOReadiness`), or, where those are not
/// available, by the `CurlSocketWatcher` thread, which relays readiness to the loop.
final class CurlLoopDriver: @unchecked Sendable {
    let loop: any EventLoop
    /// The driver's number in the watcher's epoll events.
    let index: Int
    private let multi: UnsafeMutableRawPointer
    private let userAgent: String
    private let counters: CurlCounters
    /// Loop-confined: set on the loop right after init, before any transfer starts there.
    private var readiness: any CurlSocketReadiness

    /// Idle easy handles kept for reuse per loop (each holds curl's receive buffer).
    private static let easyPoolLimit = 32

    // Loop-confined state.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var idleHandles: [UnsafeMutableRawPointer] = []
    /// Sockets curl asked to watch, with the epoll events it wants.
    private var sockets: [Int32: UInt32] = [:]
    /// Set when curl changed a socket's interest while the loop handled that socket's readiness.
    private var rearmed: Set<Int32> = []
    private var timer: Scheduled<Void>?
    /// Bumped on every timer change, so an immediate timer run queued earlier can tell it is stale.
    private var timerGeneration = 0
    private var stopped = false

    init(
        loop: any EventLoop, index: Int, userAgent: String, maxConnectionsPerHost: Int, watcher: CurlSocketWatcher,
        counters: CurlCounters, readinessKind: CurlTransport.Readiness, aioCapacity: Int = CurlAIOReadiness.defaultCapacity
    ) {
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed") }
        self.loop = loop
        self.index = index
        self.multi = multi
        self.userAgent = userAgent
        self.counters = counters
        readiness = CurlWatcherReadiness(watcher: watcher, driver: index)
        _ = drgw_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        _ = drgw_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(16, maxConnectionsPerHost * 2))
        // The callbacks run on `loop` only, inside curl calls made there; the driver outlives the handle.
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = drgw_multi_setopt_socket_callback(multi) { _, socket, what, userp, _ in
            Unmanaged<CurlLoopDriver>.fromOpaque(userp!).takeUnretainedValue().socketChanged(socket, what: what)
            return 0
        }
        _ = drgw_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, me)
        _ = drgw_multi_setopt_timer_callback(multi) { _, milliseconds, userp in
            Unmanaged<CurlLoopDriver>.fromOpaque(userp!).takeUnretainedValue().timerChanged(milliseconds)
            return 0
        }
        _ = drgw_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, me)
        loop.execute {
            // libcurl sends with MSG_NOSIGNAL, but TLS libraries may write on their own: a peer that hangs
            // up must surface as EPIPE on this thread, never as a process-killing SIGPIPE.
            var blocked = sigset_t()
            sigemptyset(&blocked)
            sigaddset(&blocked, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &blocked, nil)
            if readinessKind == .automatic { self.useAIOReadiness(capacity: aioCapacity) }
        }
    }

    /// Linux AIO polls for this loop's sockets when the kernel offers them (no thread in between);
    /// else the watcher thread stays in charge.
    private func useAIOReadiness(capacity: Int) {
        let fallback = readiness
        guard !stopped,
            let aio = CurlAIOReadiness.make(
                loop: loop, capacity: capacity, overflow: fallback, ready: { [weak self] in self?.ready($0) })
        else { return }
        readiness = aio
        aio.start { [weak self] in
            guard let self, !self.stopped else { return }
            // NIO refused the eventfd: back to the watcher, with every socket curl watches now.
            self.readiness = fallback
            for (socket, wanted) in self.sockets { fallback.watch(socket, events: wanted, known: false) }
        }
    }

    /// How this driver learns of ready sockets: `aio` or `watcher` (tests and diagnostics).
    var readinessName: String {
        readiness is CurlAIOReadiness ? "aio" : "watcher"
    }

    /// AIO polls submitted and watches that went to the watcher past their capacity (tests).
    var aioCounts: (submitted: Int, overflows: Int) {
        guard let aio = readiness as? CurlAIOReadiness else { return (0, 0) }
        return (aio.submitted, aio.overflows)
    }

    // MARK: Any thread

    /// Starts `transfer` on the loop: in place when called there, else as a task on it.
    func submit(_ transfer: CurlTransfer) {
        if loop.inEventLoop {
            start(transfer)
        } else {
            loop.execute { self.start(transfer) }
        }
    }

    func cancel(_ transfer: CurlTransfer) {
        loop.execute {
            guard let easy = transfer.easy, self.active[easy] === transfer else { return }
            self.retire(easy, transfer, result: .failure(TransportError(.cancelled)))
        }
    }

    /// Fails every transfer and frees the multi handle; later submits fail at once.
    func stop() {
        loop.execute { self.stopOnLoop() }
    }

    // MARK: Loop

    private func start(_ transfer: CurlTransfer) {
        if stopped {
            abandon(transfer, TransportError(.cancelled, detail: "transport shut down"))
            return
        }
        if transfer.isCancelRequested {
            abandon(transfer, TransportError(.cancelled))
            return
        }
        guard let easy = idleHandles.popLast() ?? curl_easy_init() else {
            abandon(transfer, TransportError(.other, detail: "curl_easy_init failed"))
            return
        }
        if let error = transfer.configure(easy, userAgent: userAgent) {
            curl_easy_cleanup(easy)
            abandon(transfer, error)
            return
        }
        transfer.easy = easy
        transfer.startedAt = .now
        transfer.trace?.mark(.transferStarted, at: transfer.startedAt)
        guard curl_multi_add_handle(multi, easy) == CURLM_OK else {
            transfer.easy = nil
            curl_easy_cleanup(easy)
            abandon(transfer, TransportError(.other, detail: "curl_multi_add_handle failed"))
            return
        }
        active[easy] = transfer
        counters.started()
        // curl asked for an immediate timeout (the timer callback) inside add_handle; running it here
        // puts the request on the wire now instead of after a trip through the loop's queue.
        runTimeout()
    }

    /// The watcher saw `events` on `socket`; hands them to curl and re-arms the socket.
    func ready(_ batch: [(socket: Int32, events: UInt32)]) {
        guard !stopped else { return }
        var running: Int32 = 0
        for (socket, events) in batch {
            // A socket curl dropped since the watcher saw it is not handed back.
            guard sockets[socket] != nil else { continue }
            var mask: Int32 = 0
            if events & (EPOLLIN.rawValue | EPOLLPRI.rawValue) != 0 { mask |= CURL_CSELECT_IN }
            if events & EPOLLOUT.rawValue != 0 { mask |= CURL_CSELECT_OUT }
            if events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { mask |= CURL_CSELECT_ERR }
            rearmed.remove(socket)
            _ = curl_multi_socket_action(multi, socket, mask, &running)
            // One-shot: the watcher reports a socket once until it is armed again.
            if !rearmed.contains(socket), let wanted = sockets[socket] {
                readiness.watch(socket, events: wanted, known: true)
            }
        }
        rearmed.removeAll(keepingCapacity: true)
        drainCompletions()
    }

    /// CURLMOPT_SOCKETFUNCTION: curl wants `socket` watched for `what`, or no longer.
    private func socketChanged(_ socket: Int32, what: Int32) {
        let wanted: UInt32
        switch what {
        case CURL_POLL_IN: wanted = EPOLLIN.rawValue
        case CURL_POLL_OUT: wanted = EPOLLOUT.rawValue
        case CURL_POLL_INOUT: wanted = EPOLLIN.rawValue | EPOLLOUT.rawValue
        default:  // CURL_POLL_REMOVE
            if sockets.removeValue(forKey: socket) != nil { readiness.unwatch(socket) }
            return
        }
        readiness.watch(socket, events: wanted, known: sockets[socket] != nil)
        sockets[socket] = wanted
        rearmed.insert(socket)
    }

    /// CURLMOPT_TIMERFUNCTION: run curl's timers after `milliseconds` (-1: no timer). curl must not
    /// be called back from inside this callback, so even an immediate run is queued.
    private func timerChanged(_ milliseconds: Int) {
        timer?.cancel()
        timer = nil
        timerGeneration &+= 1
        guard milliseconds >= 0 else { return }
        let generation = timerGeneration
        if milliseconds == 0 {
            loop.execute {
                if self.timerGeneration == generation { self.runTimeout() }
            }
        } else {
            timer = loop.scheduleTask(in: .milliseconds(Int64(milliseconds))) {
                if self.timerGeneration == generation { self.runTimeout() }
            }
        }
    }

    private func runTimeout() {
        guard !stopped else { return }
        var running: Int32 = 0
        _ = drgw_multi_socket_timeout(multi, &running)
        drainCompletions()
    }

    /// Finishes a transfer that never reached the multi handle.
    private func abandon(_ transfer: CurlTransfer, _ error: TransportError) {
        counters.abandoned()
        transfer.finish(.failure(error))
    }

    private func drainCompletions() {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                let transfer = active[easy]
            else { continue }
            let code = message.pointee.data.result
            let result: Result<UpstreamResponse, TransportError>
            if code == CURLE_OK {
                var status = 0
                _ = drgw_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
                result = .success(UpstreamResponse(status: status, headers: transfer.responseHeaders, body: transfer.body))
            } else {
                result = .failure(failure(of: transfer, code: code))
            }
            retire(easy, transfer, result: result)
        }
    }

    private func failure(of transfer: CurlTransfer, code: CURLcode) -> TransportError {
        let elapsed = ContinuousClock.now - transfer.startedAt
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var text = transfer.curlErrorText
        if text.isEmpty { text = String(cString: curl_easy_strerror(code)) }
        return TransportError(
            curlCode: code,
            bodyCapExceeded: transfer.bodyCapExceeded,
            detail: TransportError.curlDetail(seconds: seconds, code: code, text: text, url: transfer.request.url)
        )
    }

    /// Takes a transfer off the multi handle, recycles its easy handle and resumes its caller.
    private func retire(
        _ easy: UnsafeMutableRawPointer, _ transfer: CurlTransfer, result: Result<UpstreamResponse, TransportError>
    ) {
        curl_multi_remove_handle(multi, easy)
        active[easy] = nil
        var connects = 0
        _ = drgw_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &connects)
        transfer.easy = nil
        if idleHandles.count < Self.easyPoolLimit {
            curl_easy_reset(easy)
            idleHandles.append(easy)
        } else {
            curl_easy_cleanup(easy)
        }
        if let list = transfer.headerList {
            curl_slist_free_all(list)
            transfer.headerList = nil
        }
        counters.finished(connectionsOpened: connects)
        transfer.trace?.mark(.transferDone)
        transfer.finish(result)
    }

    private func stopOnLoop() {
        guard !stopped else { return }
        for (easy, transfer) in active {
            retire(easy, transfer, result: .failure(TransportError(.cancelled, detail: "transport shut down")))
        }
        stopped = true
        timer?.cancel()
        timer = nil
        timerGeneration &+= 1
        for socket in sockets.keys { readiness.unwatch(socket) }
        sockets.removeAll()
        readiness.stop()
        for easy in idleHandles { curl_easy_cleanup(easy) }
        idleHandles.removeAll()
        curl_multi_cleanup(multi)
    }
}

/// Transfer counters shared by a transport's drivers (any thread).
final class CurlCounters: Sendable {
    private struct State {
        var inFlight = 0
        var stats = CurlTransport.Stats()
    }

    private let state = Mutex(State())

    /// A caller handed a transfer over.
    func submitted() {
        state.withLock { $0.inFlight += 1 }
    }

    /// The transfer reached curl.
    func started() {
        state.withLock { $0.stats.requests += 1 }
    }

    /// It ended before reaching curl.
    func abandoned() {
        state.withLock { $0.inFlight -= 1 }
    }

    /// It ended in curl, which opened `connectionsOpened` connections for it.
    func finished(connectionsOpened: Int) {
        state.withLock { state in
            state.inFlight -= 1
            state.stats.connectionsOpened += connectionsOpened
        }
    }

    var stats: CurlTransport.Stats { state.withLock { $0.stats } }
    var inFlight: Int { state.withLock { $0.inFlight } }
}
