/// Tells a `CurlLoopDriver` when curl's sockets are ready. Every call comes from the driver's
/// event loop, and readiness is reported there too, through `CurlLoopDriver.ready(_:)`.
///
/// Watches are one-shot: a socket is reported once, then again only after the driver arms it again.
protocol CurlSocketReadiness: AnyObject, Sendable {
    /// Reports `socket` once when one of `events` (epoll/poll bits) happens. `known`: the socket is
    /// watched already (its interest changes).
    func watch(_ socket: Int32, events: UInt32, known: Bool)
    /// Stops watching `socket` (curl is done with it).
    func unwatch(_ socket: Int32)
    /// Stops watching everything; called once, when the driver stops.
    func stop()
}

/// Readiness from the transport's shared watcher thread (`CurlSocketWatcher`), which relays each
/// ready socket to the owning loop: used where Linux AIO polls are not available.
final class CurlWatcherReadiness: CurlSocketReadiness, Sendable {
    private let watcher: CurlSocketWatcher
    private let driver: Int

    init(watcher: CurlSocketWatcher, driver: Int) {
        self.watcher = watcher
        self.driver = driver
    }

    func watch(_ socket: Int32, events: UInt32, known: Bool) {
        watcher.watch(socket, events: events, driver: driver, known: known)
    }

    func unwatch(_ socket: Int32) {
        watcher.unwatch(socket)
    }

    func stop() {}
}
