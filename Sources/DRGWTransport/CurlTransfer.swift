import CCurl
import DRGWCore
import Foundation
import Synchronization

/// One request's journey through libcurl.
///
/// The continuation and the cancellation flags are guarded by a mutex because the caller's task, its
/// cancellation handler and the driving event loop all touch them. Everything else (easy handle,
/// header list, response buffers) belongs to that loop from the moment the transfer is submitted.
final class CurlTransfer: @unchecked Sendable {
    private struct Control {
        var continuation: CheckedContinuation<UpstreamResponse, any Error>?
        var submitted = false
        var cancelRequested = false
        var finished = false
    }

    let request: UpstreamRequest
    /// The stage-timing trace of the request this call serves, when that diagnostic is on.
    let trace: StageTrace?
    private let control = Mutex(Control())

    // Loop-confined state.
    var easy: UnsafeMutableRawPointer?
    var headerList: UnsafeMutablePointer<curl_slist>?
    let errorBuffer: UnsafeMutablePointer<CChar>
    var responseHeaders: [(name: String, value: String)] = []
    var body: [UInt8] = []
    /// Set when the body cap stopped the transfer, so `CURLE_WRITE_ERROR` reads as `.tooLarge`.
    var bodyCapExceeded = false
    var startedAt = ContinuousClock.now

    init(request: UpstreamRequest, trace: StageTrace? = nil) {
        self.request = request
        self.trace = trace
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        if let headerList { curl_slist_free_all(headerList) }
        errorBuffer.deallocate()
    }

    // MARK: Lifecycle shared between threads

    /// Stores the continuation unless the task was cancelled first; false means the caller must fail it.
    func accept(_ continuation: CheckedContinuation<UpstreamResponse, any Error>) -> Bool {
        control.withLock { state in
            if state.cancelRequested { return false }
            state.continuation = continuation
            state.submitted = true
            return true
        }
    }

    /// Records the cancellation; true when the driving loop must be told to drop the transfer.
    func requestCancel() -> Bool {
        control.withLock { state in
            state.cancelRequested = true
            return state.submitted && !state.finished
        }
    }

    var isCancelRequested: Bool {
        control.withLock { $0.cancelRequested }
    }

    /// Resumes the caller exactly once; later calls do nothing.
    func finish(_ result: Result<UpstreamResponse, TransportError>) {
        let continuation = control.withLock { state -> CheckedContinuation<UpstreamResponse, any Error>? in
            state.finished = true
            defer { state.continuation = nil }
            return state.continuation
        }
        switch result {
        case .success(let response): continuation?.resume(returning: response)
        case .failure(let error): continuation?.resume(throwing: error)
        }
    }

    // MARK: Curl callbacks (on the driving loop)

    /// Appends body bytes; returning less than `bytes.count` makes libcurl abort with `CURLE_WRITE_ERROR`.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        if body.count + bytes.count > request.maxResponseBytes {
            bodyCapExceeded = true
            return 0
        }
        body.append(contentsOf: bytes)
        return bytes.count
    }

    /// Handles one raw header line; returns false to abort (announced body larger than the cap).
    /// Works on the bytes: only the name and the trimmed value become strings.
    func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let line = bytes.bindMemory(to: UInt8.self)
        var end = line.count
        while end > 0, line[end - 1] == 0x0A || line[end - 1] == 0x0D { end -= 1 }
        if end >= 5, line[0] == UInt8(ascii: "H"), line[1] == UInt8(ascii: "T"), line[2] == UInt8(ascii: "T"),
            line[3] == UInt8(ascii: "P"), line[4] == UInt8(ascii: "/")
        {
            // A new status line: an interim 1xx response came before, forget its headers.
            trace?.mark(.firstByte)
            responseHeaders.removeAll()
            return true
        }
        if end == 0 { return true }
        if line[0] == 0x20 || line[0] == 0x09 {
            // An obsolete folded continuation line.
            if !responseHeaders.isEmpty {
                responseHeaders[responseHeaders.count - 1].value += " " + Self.trimmedText(line, 0, end)
            }
            return true
        }
        guard let colon = (0..<end).first(where: { line[$0] == UInt8(ascii: ":") }) else { return true }
        let name = String(decoding: UnsafeBufferPointer(rebasing: line[0..<colon]), as: UTF8.self)
        let value = Self.trimmedText(line, colon + 1, end)
        responseHeaders.append((name: name, value: value))
        if HeaderName.equal(name, "Content-Length"), let length = Int(value),
            length > request.maxResponseBytes
        {
            bodyCapExceeded = true
            return false
        }
        return true
    }

    /// `line[start..<end]` without spaces and tabs at either end, as text.
    private static func trimmedText(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        var start = start, end = end
        while start < end, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
        while end > start, line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: line[start..<end]), as: UTF8.self)
    }

    /// Curl's own error text for the failed transfer, or an empty string.
    var curlErrorText: String {
        String(cString: errorBuffer)
    }
}
