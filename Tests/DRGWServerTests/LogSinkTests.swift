import DRGWCore
@testable import DRGWServer
import Foundation
import Logging
import Testing

/// The log sink on a real pipe: lines arrive whole and in order, and a reader that stops reading
/// costs dropped lines (counted and reported), never a blocked caller.
@Suite("Log sink")
struct LogSinkTests {
    /// A pipe whose ends stay open for the life of the test process: a sink's thread keeps its
    /// descriptor, so closing it could hand the number to another test's socket.
    static func pipeEnds() -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0)
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        return (fds[0], fds[1])
    }

    /// Whatever the pipe holds now.
    static func drain(_ fd: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got <= 0 { return out }
            out += buffer[0..<got]
        }
    }

    static func lines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test(.timeLimit(.minutes(1)))
    func linesArriveWholeAndInOrder() async {
        let (readEnd, writeEnd) = Self.pipeEnds()
        let sink = LogSink(fd: writeEnd)
        for i in 0..<500 { sink.append(Array("line-\(i)\n".utf8)) }
        // Four writers at once: every line arrives once and whole.
        await withTaskGroup(of: Void.self) { group in
            for t in 0..<4 {
                group.addTask { for i in 0..<250 { sink.append(Array("task\(t)-\(i)\n".utf8)) } }
            }
        }
        #expect(sink.flush())
        let lines = Self.lines(Self.drain(readEnd))
        #expect(lines.count == 1500)
        #expect(Array(lines.prefix(500)) == (0..<500).map { "line-\($0)" })
        #expect(Set(lines.dropFirst(500)) == Set((0..<4).flatMap { t in (0..<250).map { "task\(t)-\($0)" } }))
        for t in 0..<4 {
            let own = lines.filter { $0.hasPrefix("task\(t)-") }
            #expect(own == (0..<250).map { "task\(t)-\($0)" })
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func loggedEventsAreRenderedOnTheSinksThreadInOrder() throws {
        let (readEnd, writeEnd) = Self.pipeEnds()
        let sink = LogSink(fd: writeEnd)
        let redactor = Redactor()
        redactor.register(["very-secret-1"])
        var handler = JSONLogHandler(label: "drgw", redactor: redactor, sink: sink)
        handler[metadataKey: "request_id"] = "r-1"
        var logger = Logger(label: "drgw") { _ in handler }
        logger.logLevel = .info
        logger[metadataKey: "phase"] = "before"
        let before = Date()
        for i in 0..<200 {
            sink.append(Array("{\"raw\":\(i)}\n".utf8))
            logger.info("event \(i) very-secret-1", metadata: ["i": .stringConvertible(i), "request_id": "own-\(i)"])
        }
        // Metadata changed after the calls does not reach their lines: it was taken at the call.
        logger[metadataKey: "phase"] = "after"
        #expect(sink.flush())
        let lines = Self.lines(Self.drain(readEnd))
        #expect(lines.count == 400)
        for i in 0..<200 {
            #expect(lines[2 * i] == "{\"raw\":\(i)}")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[2 * i + 1].utf8)) as? [String: Any])
            #expect(object["msg"] as? String == "event \(i) [redacted]")
            #expect(object["i"] as? String == "\(i)")
            #expect(object["request_id"] as? String == "own-\(i)")
            #expect(object["phase"] as? String == "before")
            let time = try #require(Timestamp.parseRFC3339(object["ts"] as? String ?? ""))
            #expect(time.timeIntervalSince(before) > -1 && time.timeIntervalSinceNow < 1)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aStalledReaderDropsLinesInsteadOfBlocking() throws {
        let (readEnd, writeEnd) = Self.pipeEnds()
        // Fill the pipe first (100-byte writes are atomic on a pipe), so the sink's writer blocks.
        let flags = fcntl(writeEnd, F_GETFL)
        _ = fcntl(writeEnd, F_SETFL, flags | O_NONBLOCK)
        let filler = Array(String(repeating: "f", count: 99).utf8) + [0x0A]
        var filled = 0
        while filler.withUnsafeBytes({ write(writeEnd, $0.baseAddress, $0.count) }) == filler.count { filled += 1 }
        _ = fcntl(writeEnd, F_SETFL, flags)
        #expect(filled > 100)
        // 16 KiB of backlog in front of a full pipe that nobody reads.
        let sink = LogSink(fd: writeEnd, capacity: 16 << 10)
        let line = Array(String(repeating: "x", count: 99).utf8) + [0x0A]
        for _ in 0..<20_000 { sink.append(line) }  // 2 MB: returns although nothing can be written
        let dropped = sink.droppedCount
        #expect(dropped > 19_000)
        #expect(!sink.flush(timeout: 0.2))

        // The reader comes back: the kept lines, then one warning with the count.
        var received: [UInt8] = []
        let deadline = Date(timeIntervalSinceNow: 20)
        while Date() < deadline {
            received += Self.drain(readEnd)
            if received.last == 0x0A, Self.lines(received).last?.contains("log lines dropped") == true { break }
            var ready = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            _ = poll(&ready, 1, 100)  // until the writer puts more into the pipe
        }
        let lines = Self.lines(received)
        let notice = try #require(lines.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        #expect(notice["level"] as? String == "warning")
        #expect(notice["dropped"] as? String == String(dropped))
        #expect(lines.prefix(filled).allSatisfy { $0.hasPrefix("f") })
        let kept = lines.dropFirst(filled).dropLast()
        #expect(kept.count == 20_000 - dropped)
        #expect(kept.allSatisfy { $0.utf8.count == 99 && $0.hasPrefix("x") })
        #expect(sink.droppedCount == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func theHandlerWritesItsLinesThroughTheSink() throws {
        let (readEnd, writeEnd) = Self.pipeEnds()
        let sink = LogSink(fd: writeEnd)
        let handler = JSONLogHandler(label: "drgw", redactor: Redactor(), sink: sink)
        for level in [Logger.Level.info, .error] {
            handler.log(event: LogEvent(
                level: level, message: "hello \(level)", metadata: ["k": "v"],
                source: "t", file: #fileID, function: #function, line: #line))
        }
        #expect(sink.flush())
        let objects = try Self.lines(Self.drain(readEnd)).map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.map { $0["msg"] as? String } == ["hello info", "hello error"])
        #expect(objects.map { $0["level"] as? String } == ["info", "error"])
        #expect(objects.allSatisfy { $0["k"] as? String == "v" })
    }
}
