import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `drgw healthcheck`: the container image's `HEALTHCHECK`. It asks the gateway running next to it
/// for `GET /healthz` and exits 0 on a 200, 1 otherwise, so the runtime image needs no curl.
///
/// It is a one-shot process with nothing else to run, so plain blocking socket calls are fine
/// here; every one of them is bounded by `--timeout` (on Linux `SO_SNDTIMEO` bounds `connect`).
struct HealthcheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exit 0 when the local gateway answers GET /healthz with 200 (for container health checks)."
    )

    @Option(name: .long, help: "Address to ask. Default: DRGW_HOST, where a wildcard (0.0.0.0, ::) means loopback.")
    var host: String?

    @Option(name: .long, help: "Port to ask. Default: DRGW_PORT, else 8080.")
    var port: Int?

    @Option(name: .long, help: "Path to ask.")
    var path: String = "/healthz"

    @Option(name: .long, help: "Seconds for each step (connect, send, receive).")
    var timeout: Double = 3

    func validate() throws {
        if let port, !(1...65535).contains(port) { throw ValidationError("--port must be 1 to 65535") }
        guard path.hasPrefix("/"), !path.contains(where: { $0.isWhitespace }) else {
            throw ValidationError("--path must start with / and contain no spaces")
        }
        guard timeout > 0, timeout <= 60 else { throw ValidationError("--timeout must be above 0 and at most 60") }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let target = Self.probeAddress(host ?? environment["DRGW_HOST"])
        let targetPort = port ?? environment["DRGW_PORT"].flatMap { Int($0) } ?? 8080
        let status: Int
        do {
            status = try HTTPStatusProbe(host: target, port: targetPort, path: path, timeout: timeout).fetchStatus()
        } catch {
            FileHandle.standardError.write(Data("drgw healthcheck: \(target):\(targetPort)\(path): \(error)\n".utf8))
            throw ExitCode.failure
        }
        guard status == 200 else {
            FileHandle.standardError.write(Data("drgw healthcheck: \(path) answered \(status)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// The listen address as a place to connect to: a wildcard listens on loopback too.
    static func probeAddress(_ listen: String?) -> String {
        switch listen?.trimmingCharacters(in: .whitespaces) ?? "" {
        case "", "0.0.0.0", "*": return "127.0.0.1"
        case "::", "[::]": return "::1"
        case let address: return address
        }
    }
}

/// One HTTP/1.1 GET over a blocking socket; only the status line of the answer is read.
struct HTTPStatusProbe {
    var host: String
    var port: Int
    var path: String
    var timeout: Double

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func fetchStatus() throws -> Int {
        let socket = try connectSocket()
        defer { close(socket) }
        let request = "GET \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nUser-Agent: drgw-healthcheck\r\nConnection: close\r\n\r\n"
        var bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeMutableBytes { send(socket, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure(description: "send failed (\(String(cString: strerror(errno))))") }
            sent += count
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while !answer.contains(UInt8(ascii: "\n")), answer.count < 8192 {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else { throw Failure(description: "no answer (\(String(cString: strerror(errno))))") }
            answer.append(contentsOf: buffer[0..<count])
        }
        // "HTTP/1.1 200 OK": the second field is the status code.
        let line = String(decoding: answer.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let fields = line.split(separator: " ")
        guard fields.count >= 2, fields[0].hasPrefix("HTTP/"), let status = Int(fields[1]) else {
            throw Failure(description: "not an HTTP answer: \(line.prefix(80))")
        }
        return status
    }

    private var hostHeader: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    private func connectSocket() throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            throw Failure(description: "cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(first) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else { lastError = String(cString: strerror(errno)); continue }
            var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
            lastError = String(cString: strerror(errno))
            close(fd)
        }
        throw Failure(description: "cannot connect (\(lastError))")
    }
}
