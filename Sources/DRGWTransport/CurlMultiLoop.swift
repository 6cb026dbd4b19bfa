import CCurl
import DRGWCore
import Foundation
import Synchronization

/// The thread that owns the libcurl multi handle.
///
/// Other threads only append commands to a mutex-protected queue and call `curl_multi_wakeup`; the thread
/// applies them between `curl_multi_poll` rounds, drives every transfer and resumes the callers.
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

    init(userAgent: String, maxConnectionsPerHost: Int) {
        precondition(Self.globalInit == CURLE_OK, "curl_global_init failed")
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed") }
        self.multi = multi
        self.userAgent = userAgent
        _ = drgw_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        _ = drgw_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(16, maxConnectionsPerHost * 2))
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
            curl_multi_wakeup(multi)
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
            curl_multi_wakeup(multi)
        }
    }

    func shutdown() {
        shared.withLock { state in
            guard !state.stopping else { return }
            state.stopping = true
            curl_multi_wakeup(multi)
        }
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
            _ = curl_multi_perform(multi, &running)
            if drainCompletions() > 0 {
                // Finished transfers may free connection slots for queued ones: perform again before sleeping.
                continue
            }
            var ready: Int32 = 0
            if curl_multi_poll(multi, nil, 0, Self.pollTimeoutMilliseconds, &ready) != CURLM_OK {
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
        for (easy, transfer) in active {
            retire(easy, transfer, result: .failure(TransportError(.cancelled, detail: "transport shut down")))
        }
        for easy in idleHandles { curl_easy_cleanup(easy) }
        idleHandles.removeAll()
        curl_multi_cleanup(multi)
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
