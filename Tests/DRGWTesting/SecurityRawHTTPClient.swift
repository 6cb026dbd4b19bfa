import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Sends bytes exactly as given to 127.0.0.1 (no client-side normalisation of `..`, no
/// encoding, no header checks) and reads the answer until the server closes, for hostile-input
/// tests that an HTTP library would refuse to send.
public enum SecurityRawHTTPClient {
    /// A parsed answer; `status` is 0 when the server closed without one.
    public struct Answer: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: String
        public var raw: String
        /// The server closed the connection (rather than the read timing out).
        public var closedByServer = false

        public func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    /// `request` must be a whole HTTP/1.1 message; add `Connection: close` so the read ends.
    public static func exchange(port: Int, request: [UInt8], timeoutSeconds: Int = 10) async throws -> Answer {
        // A thread of its own: a blocking read on Dispatch's global queue would hold one of the few
        // threads Swift's global executor runs on (Linux), which the in-process server under test
        // needs to accept the very connection being read; parallel tests then stall for seconds.
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try sendBlocking(port: port, request: request, timeoutSeconds: timeoutSeconds) })
            }.start()
        }
    }

    static func sendBlocking(port: Int, request: [UInt8], timeoutSeconds: Int) throws -> Answer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestServerError(message: "socket() failed") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { throw TestServerError(message: "connect() to 127.0.0.1:\(port) failed") }
        var offset = 0
        while offset < request.count {
            let written = request[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            // The server may answer and close before reading everything (e.g. a header it refuses).
            if written <= 0 { break }
            offset += written
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var closed = false
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 {
                closed = count == 0 || errno == ECONNRESET
                break
            }
            received += buffer[0..<count]
        }
        var answer = parse(received)
        answer.closedByServer = closed
        return answer
    }

    /// Parses one answer: status line, headers, and the rest as body.
    public static func parse(_ bytes: [UInt8]) -> Answer {
        let raw = String(decoding: bytes, as: UTF8.self)
        guard let split = raw.range(of: "\r\n\r\n") else { return Answer(status: 0, headers: [], body: "", raw: raw) }
        let head = raw[..<split.lowerBound].components(separatedBy: "\r\n")
        let status = head.first.flatMap { line in line.split(separator: " ").dropFirst().first.flatMap { Int($0) } } ?? 0
        let headers = head.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return Answer(status: status, headers: headers, body: String(raw[split.upperBound...]), raw: raw)
    }
}
