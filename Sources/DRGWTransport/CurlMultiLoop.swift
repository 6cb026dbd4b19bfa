import CCurl
import DRGWCore
import Foundation
import Synchronization

/// The thread that owns the libcurl multi handle.
///
/// Other threads only append commands to a mutex-protected queue and write one byte to a wake-up
/// pipe; the thread applies them between `poll` rounds, drives the transfers and resumes the callers.
/// It uses libcurl's multi_socket API: curl names the sockets to watch (`socketChanged`) and when to
/// run its timers (`timerChanged`); the thread `poll`s exactly those and hands curl only the socket
/// that is ready, so an event costs one transfer's work, not a pass over every transfer in flight.
final class CurlMultiLoop: @unchecked Sendable {
    private enum Command {
        case add(CurlTransfer)
        case cancel(CurlTransfer)
    }

    private struct Shared {
        var commands: [Command] = []
        var stopping = false
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
    /// Sockets curl asked to watch, with the `poll` events it wants.
    private var sockets: [Int32: Int16] = [:]
    /// When curl wants its timers run; nil while it has none.
    private var timerDeadline: ContinuousClock.Instant?
    /// Wake-up pipe: [read end, write end], both non-blocking.
    private let wakePipe: (read: Int32, write: Int32)

    init(userAgent: String, maxConnectionsPerHost: Int) {
        precondition(Self.globalInit == CURLE_OK, "curl_global_init failed")
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed") }
        self.multi = multi
        self.userAgent = userAgent
        _ = drgw_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        _ = drgw_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(16, maxConnectionsPerHost * 2))
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { fatalError("pipe() failed for the curl wake-up") }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakePipe = (fds[0], fds[1])
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
        let thread = Thread { [self] in self.run() }
        thread.name = "drgw-curl"
        thread.start()
    }

    // MARK: Any thread

    func submit(_ transfer: CurlTransfer, continuation: CheckedContinuation<HTTPResponse, any Error>) {
        guard transfer.accept(continuation) else {
            continuation.resume(throwing: TransportError(.cancelled))
            return
        }
        let queued = shared.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.commands.append(.add(transfer))
            state.inFlight += 1
            wake()
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
            wake()
        }
    }

    func shutdown() {
        shared.withLock { state in
            guard !state.stopping else { return }
            state.stopping = true
            wake()
        }
    }

    /// Makes the curl thread leave `poll` (any thread; called under the `shared` lock).
    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakePipe.write, &byte, 1)  // a full pipe already means "wake up"
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
            waitForEvents()
        }
        for (easy, transfer) in active {
            retire(easy, transfer, result: .failure(TransportError(.cancelled, detail: "transport shut down")))
        }
        for easy in idleHandles { curl_easy_cleanup(easy) }
        idleHandles.removeAll()
        curl_multi_cleanup(multi)
        close(wakePipe.read)
        close(wakePipe.write)
    }

    /// One `poll` over the wake-up pipe and curl's sockets, bounded by curl's timer; every ready
    /// socket is handed to curl.
    private func waitForEvents() {
        var timeout = Self.pollTimeoutMilliseconds
        if let deadline = timerDeadline {
            let left = deadline - .now
            let ms = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
            timeout = Int32(clamping: max(0, min(Int64(timeout), ms + (left > .zero ? 1 : 0))))
        }
        var fds = [pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0)]
        fds.reserveCapacity(sockets.count + 1)
        for (fd, events) in sockets { fds.append(pollfd(fd: fd, events: events, revents: 0)) }
        let ready = poll(&fds, nfds_t(fds.count), timeout)
        if ready < 0 {
            if errno != EINTR { Thread.sleep(forTimeInterval: 0.01) }
            return
        }
        if fds[0].revents != 0 {
            var buffer = [UInt8](repeating: 0, count: 256)
            while read(wakePipe.read, &buffer, buffer.count) > 0 {}
        }
        var running: Int32 = 0
        for entry in fds.dropFirst() where entry.revents != 0 {
            var mask: Int32 = 0
            if entry.revents & Int16(POLLIN | POLLPRI) != 0 { mask |= CURL_CSELECT_IN }
            if entry.revents & Int16(POLLOUT) != 0 { mask |= CURL_CSELECT_OUT }
            if entry.revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 { mask |= CURL_CSELECT_ERR }
            _ = curl_multi_socket_action(multi, entry.fd, mask, &running)
        }
    }

    /// CURLMOPT_SOCKETFUNCTION: curl wants `socket` watched for `what`, or no longer.
    private func socketChanged(_ socket: Int32, what: Int32) {
        switch what {
        case CURL_POLL_REMOVE: sockets[socket] = nil
        case CURL_POLL_IN: sockets[socket] = Int16(POLLIN)
        case CURL_POLL_OUT: sockets[socket] = Int16(POLLOUT)
        case CURL_POLL_INOUT: sockets[socket] = Int16(POLLIN | POLLOUT)
        default: sockets[socket] = nil
        }
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
            let result: Result<HTTPResponse, TransportError>
            if code == CURLE_OK {
                var status = 0
                _ = drgw_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
                result = .success(HTTPResponse(status: status, headers: transfer.responseHeaders, body: transfer.body))
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
        _ easy: UnsafeMutableRawPointer, _ transfer: CurlTransfer, result: Result<HTTPResponse, TransportError>
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
