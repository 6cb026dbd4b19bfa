import CCurl
import DRGWCore
import NIOCore
import NIOPosix
import Synchronization

/// The production `HTTPTransport`: libcurl's multi interface driven on NIO's event loops.
///
/// Each event loop of `group` owns one multi handle (`CurlLoopDriver`). A request sent from a task
/// running on an event loop (the HTTP server runs each connection's requests on its own loop) is
/// added to that loop's handle in place, and its answer is read and handed back on the same thread;
/// other callers are spread over the loops. A ready socket wakes the loop that owns it: through a
/// Linux AIO poll that signals an eventfd the loop reads, or, where the kernel offers no AIO polls,
/// through a watcher thread that waits on curl's sockets and relays. No Swift cooperative thread
/// ever blocks on I/O. Connections are
/// kept alive and reused per loop. TLS peers are always verified against the system CA store and
/// redirects are never followed.
public final class CurlTransport: HTTPTransport, Sendable {
    /// Counters for tests and benchmarks.
    public struct Stats: Sendable, Hashable {
        /// Transfers handed to libcurl.
        public var requests: Int
        /// New connections libcurl had to open (sum of `CURLINFO_NUM_CONNECTS`).
        public var connectionsOpened: Int

        /// Creates counters.
        public init(requests: Int = 0, connectionsOpened: Int = 0) {
            self.requests = requests
            self.connectionsOpened = connectionsOpened
        }
    }

    /// How the loops learn that curl's sockets are ready.
    public enum Readiness: Sendable, Equatable {
        /// Linux AIO polls when the kernel allows them, else the watcher thread.
        case automatic
        /// Always the watcher thread (tests compare both).
        case watcherThread
    }

    /// `curl_global_init` is not thread-safe on every build; a static let runs it exactly once.
    private static let globalInit: CURLcode = drgw_global_init_default()

    private let drivers: [CurlLoopDriver]
    /// The driver of each event loop, by the loop's identity.
    private let driverOfLoop: [ObjectIdentifier: CurlLoopDriver]
    private let watcher: CurlSocketWatcher
    private let counters: CurlCounters
    private let next = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)

    /// Starts one multi handle per event loop of `group` and the socket watcher thread.
    /// - Parameters:
    ///   - userAgent: sent unless a request carries its own `User-Agent` header.
    ///   - maxConnectionsPerHost: upper bound of simultaneous connections to one host, over all
    ///     loops (each loop gets its share); further transfers wait.
    ///   - group: the event loops that run curl; the HTTP server's, so that a request stays on its loop.
    ///   - readiness: how the loops learn of ready sockets.
    public convenience init(
        userAgent: String = "drgw/0.1", maxConnectionsPerHost: Int = 64,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, readiness: Readiness = .automatic
    ) {
        self.init(
            userAgent: userAgent, maxConnectionsPerHost: maxConnectionsPerHost, group: group, readiness: readiness,
            aioCapacity: CurlAIOReadiness.defaultCapacity)
    }

    /// As above, with the polls in flight per loop before sockets go to the watcher thread (tests).
    init(
        userAgent: String, maxConnectionsPerHost: Int, group: any EventLoopGroup, readiness: Readiness, aioCapacity: Int
    ) {
        precondition(Self.globalInit == CURLE_OK, "curl_global_init failed")
        let loops = Array(group.makeIterator())
        let perLoop = max(1, (max(1, maxConnectionsPerHost) + loops.count - 1) / max(1, loops.count))
        let watcher = CurlSocketWatcher()
        let counters = CurlCounters()
        self.counters = counters
        drivers = loops.enumerated().map { index, loop in
            CurlLoopDriver(
                loop: loop, index: index, userAgent: userAgent, maxConnectionsPerHost: perLoop, watcher: watcher,
                counters: counters, readinessKind: readiness, aioCapacity: aioCapacity)
        }
        driverOfLoop = Dictionary(uniqueKeysWithValues: drivers.map { (ObjectIdentifier($0.loop), $0) })
        self.watcher = watcher
        watcher.start(drivers: drivers)
    }

    deinit {
        shutdown()
    }

    /// Sends one request and returns the whole response.
    ///
    /// Throws `TransportError`; cancelling the calling task removes the transfer and throws `.cancelled`.
    public func send(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        let transfer = CurlTransfer(request: request, trace: StageTrace.current)
        transfer.trace?.mark(.handedToTransport)
        let driver = currentDriver()
        let response = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard transfer.accept(continuation) else {
                    continuation.resume(throwing: TransportError(.cancelled))
                    return
                }
                guard !stopped.load(ordering: .acquiring) else {
                    transfer.finish(.failure(TransportError(.cancelled, detail: "transport shut down")))
                    return
                }
                counters.submitted()
                driver.submit(transfer)
            }
        } onCancel: {
            if transfer.requestCancel() { driver.cancel(transfer) }
        }
        transfer.trace?.mark(.resumed)
        return response
    }

    /// The driver of the event loop this code runs on, else the next one in turn.
    private func currentDriver() -> CurlLoopDriver {
        if let loop = MultiThreadedEventLoopGroup.currentEventLoop, let driver = driverOfLoop[ObjectIdentifier(loop)] {
            return driver
        }
        return drivers[next.wrappingAdd(1, ordering: .relaxed).oldValue % drivers.count]
    }

    /// Stops curl on every loop and the watcher thread. Transfers in flight fail with
    /// `TransportError(.cancelled)`, and so does every later `send`. Calling it again does nothing.
    public func shutdown() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for driver in drivers { driver.stop() }
        watcher.stop()
    }

    /// Whether the kernel lets this process watch sockets with Linux AIO polls (what `.automatic`
    /// uses when it can).
    public static var aioPollsAvailable: Bool {
        CurlAIOReadiness.available()
    }

    /// How each loop learns of ready sockets now: `aio` or `watcher` (tests and diagnostics).
    public func readinessInUse() async throws -> [String] {
        var names: [String] = []
        for driver in drivers { names.append(try await driver.loop.submit { driver.readinessName }.get()) }
        return names
    }

    /// Per loop: AIO polls submitted and watches past their capacity (tests).
    func aioCounts() async throws -> [(submitted: Int, overflows: Int)] {
        var counts: [(submitted: Int, overflows: Int)] = []
        for driver in drivers { counts.append(try await driver.loop.submit { driver.aioCounts }.get()) }
        return counts
    }

    /// Counters since the transport was created.
    public var stats: Stats {
        counters.stats
    }

    /// Transfers submitted and not yet finished.
    public var inFlightCount: Int {
        counters.inFlight
    }
}
