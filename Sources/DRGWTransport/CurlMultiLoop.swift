import CCurl
import DRGWCore
import Foundation
import Synchronization

/// The thread that owns the libcurl multi handle.
///
/// Other threads only append commands to a mutex-protected queue and signal an eventfd; the thread
/// applies them between waits, drives the transfers and resumes the callers. It uses libcurl's
/// multi_socket API: curl names the sockets to watch (`socketChanged`, kept in an epoll set) and when
/// to run its timers (`timerChanged`); the thread waits in `epoll_wait` and hands curl only the
/// sockets that are ready, so an event costs one transfer's work, whatever the number in flight.
final class CurlMultiLoop: @unchecked Sendable {
    private enum Command {
        case add(CurlTransfer)
        case cancel(CurlTransfer)
    }

    private struct Shared {
        var commands: [Command] = []
        var stopping = false
        /// The curl thread is in (or about to enter) `epoll_wait` and needs the eventfd to see new
        /// commands; while it runs, commands are picked up on its next round without a wake-up.
        var waiting = false
        var inFlight = 0
        var stats = CurlTransport.Stats()
    }

    /// `curl_global_init` is not thread-safe on every build; a static let runs it exactly once.
    private static let globalInit: CURLcode = drgw_global_init_default()

    private static let pollTimeoutMilliseconds: Int32 = 1000
    private static let easyPoolLimit = 64

    private let shared = Mutex(Shared())
    private let multi: UnsafeMutableRawPointer
    private let userAgent: String

    // Curl-thread state.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var idleHandles: [UnsafeMutableRawPointer] = []
    /// Sockets curl asked to watch, with the epoll events it wants.
    private var sockets: [Int32: UInt32] = [:]
    /// When curl wants its timers run; nil while it has none.
    private var timerDeadline: ContinuousClock.Instant?
    /// The epoll set of curl's sockets and the wake-up eventfd.
    private let epollFD: Int32
    /// Written by other threads to make the curl thread leave `epoll_wait`.
    private let wakeFD: Int32
    private var events = [epoll_event](repeating: epoll_event(), count: 128)

    init(userAgent: String, maxConnectionsPerHost: Int) {
        precondition(Self.globalInit == CURLE_OK, "curl_global_init failed")
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed") }
        self.multi = multi
        self.userAgent = userAgent
        _ = drgw_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        _ = drgw_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(16, maxConnectionsPerHost * 2))
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard epollFD >= 0, wakeFD >= 0 else { fatalError("epoll_create1/eventfd failed for the curl thread") }
        var wakeEvent = epoll_event()
        wakeEvent.events = EPOLLIN.rawValue
        wakeEvent.data.fd = wakeFD
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &wakeEvent) == 0 else { fatalError("epoll_ctl failed for the curl wake-up") }
        // Callbacks run on the curl thread only, inside curl calls made by `run`; the loop outlives them.
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = drgw_multi_setopt_socket_callback(multi) { _, socket, what, userp, _ in
            Unmanaged<CurlMultiLoop>.fromOpaque(userp!).takeUnretainedValue().socketChanged(socket, what: what)
            return 0
        }
        _ = drgw_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, me)
        _ = drgw_multi_setopt_timer_callback(multi) { _, milliseconds, userp in
            Unmanaged<CurlMultiLoop>.fromOpaque(userp!).takeUnretainedValue().timerChanged(milliseconds)
            return 0
        }
        _ = drgw_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, me)
        let thread = Thread { [self] in
            // Named from inside: on Linux a name set before `start()` does not reach the kernel, and the
            // thread would show (in `top -H`, `perf`) under the name of the thread that created it.
            Thread.current.name = "drgw-curl"
            self.run()
        }
        thread.start()
    }

    // MARK: Any thread

    func submit(_ transfer: CurlTransfer, continuation: CheckedContinuation<UpstreamResponse, any Error>) {
        guard transfer.accept(continuation) else {
            continuation.resume(throwing: TransportError(.cancelled))
            return
        }
        let queued = shared.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.commands.append(.add(transfer))
            state.inFlight += 1
            wakeIfWaiting(&state)
            return true
        }
        if !queued {
            transfer.finish(.failure(TransportError(.cancelled, detail: "transport shut down")))
        }
    }

    func cancel(_ transfer: CurlTransfer) {
        guard transfer.requestCancel() else { return }
        shared.withLock { state in
            // Once stopping, the thread fails every transfer itself.
            guard !state.stopping else { return }
            state.commands.append(.cancel(transfer))
            wakeIfWaiting(&state)
        }
    }

    func shutdown() {
        shared.withLock { state in
            guard !state.stopping else { return }
            state.stopping = true
            wakeIfWaiting(&state)
        }
    }

    /// Makes the curl thread leave `epoll_wait` when it waits there (any thread; called under the
    /// `shared` lock). A busy curl thread reads the commands on its next round anyway, so the
    /// eventfd write (a system call and a wake-up) is saved whenever it is not waiting.
    private func wakeIfWaiting(_ state: inout Shared) {
        guard state.waiting else { return }
        state.waiting = false
        _ = eventfd_write(wakeFD, 1)
    }

    var stats: CurlTransport.Stats {
        shared.withLock { $0.stats }
    }

    var inFlightCount: Int {
        shared.withLock { $0.inFlight }
    }

    // MARK: Curl thread

    private func run() {
        // libcurl sends with MSG_NOSIGNAL, but TLS libraries may write on their own: a peer that hangs up must
        // surface as EPIPE on this thread, never as a process-killing SIGPIPE.
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &blocked, nil)

        while true {
            let (commands, stopping) = shared.withLock { state in
                defer { state.commands.removeAll(keepingCapacity: true) }
                return (state.commands, state.stopping)
            }
            for command in commands {
                apply(command, stopping: stopping)
            }
            if stopping { break }

            var running: Int32 = 0
            if let deadline = timerDeadline, deadline <= .now {
                timerDeadline = nil
                _ = drgw_multi_socket_timeout(multi, &running)
            }
            if drainCompletions() > 0 { continue }  // freed connection slots may start queued transfers
            // Announce the wait under the lock, so a command queued from now on writes the eventfd;
            // one queued before is applied first.
            let mayWait = shared.withLock { state -> Bool in
                guard state.commands.isEmpty, !state.stopping else { return false }
                state.waiting = true
                return true
            }
            guard mayWait else { continue }
            waitForEvents()
            shared.withLock { $0.waiting = false }
        }
        for (easy, transfer) in active {
            retire(easy, transfer, result: .failure(TransportError(.cancelled, detail: "transport shut down")))
        }
        for easy in idleHandles { curl_easy_cleanup(easy) }
        idleHandles.removeAll()
        curl_multi_cleanup(multi)
        close(epollFD)
        close(wakeFD)
    }

    /// One `epoll_wait` over the wake-up eventfd and curl's sockets, bounded by curl's timer; every
    /// ready socket is handed to curl.
    private func waitForEvents() {
        var timeout = Self.pollTimeoutMilliseconds
        if let deadline = timerDeadline {
            let left = deadline - .now
            let ms = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
            timeout = Int32(clamping: max(0, min(Int64(timeout), ms + (left > .zero ? 1 : 0))))
        }
        let ready = events.withUnsafeMutableBufferPointer { buffer in
            epoll_wait(epollFD, buffer.baseAddress, Int32(buffer.count), timeout)
        }
        if ready < 0 {
            if errno != EINTR { Thread.sleep(forTimeInterval: 0.01) }
            return
        }
        var running: Int32 = 0
        for index in 0..<Int(ready) {
            let event = events[index]
            let fd = event.data.fd
            if fd == wakeFD {
                var count: eventfd_t = 0
                _ = eventfd_read(wakeFD, &count)
                continue
            }
            // A socket curl dropped earlier in this round is not handed back to it.
            guard sockets[fd] != nil else { continue }
            var mask: Int32 = 0
            if event.events & (EPOLLIN.rawValue | EPOLLPRI.rawValue) != 0 { mask |= CURL_CSELECT_IN }
            if event.events & EPOLLOUT.rawValue != 0 { mask |= CURL_CSELECT_OUT }
            if event.events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { mask |= CURL_CSELECT_ERR }
            _ = curl_multi_socket_action(multi, fd, mask, &running)
        }
    }

    /// CURLMOPT_SOCKETFUNCTION: curl wants `socket` watched for `what`, or no longer.
    private func socketChanged(_ socket: Int32, what: Int32) {
        let wanted: UInt32
        switch what {
        case CURL_POLL_IN: wanted = EPOLLIN.rawValue
        case CURL_POLL_OUT: wanted = EPOLLOUT.rawValue
        case CURL_POLL_INOUT: wanted = EPOLLIN.rawValue | EPOLLOUT.rawValue
        default:  // CURL_POLL_REMOVE
            if sockets.removeValue(forKey: socket) != nil { _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, socket, nil) }
            return
        }
        var event = epoll_event()
        event.events = wanted
        event.data.fd = socket
        // The kernel drops a closed descriptor from the set by itself, so the map can be stale
        // for a reused number: fall back from MOD to ADD and from ADD to MOD.
        let known = sockets[socket] != nil
        if epoll_ctl(epollFD, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, socket, &event) != 0 {
            _ = epoll_ctl(epollFD, known ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, socket, &event)
        }
        sockets[socket] = wanted
    }

    /// CURLMOPT_TIMERFUNCTION: run curl's timers after `milliseconds` (-1: no timer).
    private func timerChanged(_ milliseconds: Int) {
        timerDeadline = milliseconds < 0 ? nil : .now + .milliseconds(milliseconds)
    }

    private func apply(_ command: Command, stopping: Bool) {
        switch command {
        case .add(let transfer):
            if stopping {
                abandon(transfer, TransportError(.cancelled, detail: "transport shut down"))
            } else if transfer.isCancelRequested {
                abandon(transfer, TransportError(.cancelled))
            } else {
                start(transfer)
            }
        case .cancel(let transfer):
            guard let easy = transfer.easy, active[easy] === transfer else { return }
            retire(easy, transfer, result: .failure(TransportError(.cancelled)))
        }
    }

    private func start(_ transfer: CurlTransfer) {
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
        guard curl_multi_add_handle(multi, easy) == CURLM_OK else {
            transfer.easy = nil
            curl_easy_cleanup(easy)
            abandon(transfer, TransportError(.other, detail: "curl_multi_add_handle failed"))
            return
        }
        active[easy] = transfer
        shared.withLock { $0.stats.requests += 1 }
    }

    /// Finishes a transfer that never reached the multi handle.
    private func abandon(_ transfer: CurlTransfer, _ error: TransportError) {
        shared.withLock { $0.inFlight -= 1 }
        transfer.finish(.failure(error))
    }

    private func drainCompletions() -> Int {
        var finished = 0
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
            finished += 1
        }
        return finished
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
        shared.withLock { state in
            state.inFlight -= 1
            state.stats.connectionsOpened += connects
        }
        transfer.finish(result)
    }
}
