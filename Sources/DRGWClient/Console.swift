import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a client command writes: results on stdout, everything else on stderr, unbuffered.
public struct Console: Sendable {
    public var stdoutIsTerminal: Bool
    public var stderrIsTerminal: Bool

    public init(stdoutIsTerminal: Bool = isatty(STDOUT_FILENO) == 1, stderrIsTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.stdoutIsTerminal = stdoutIsTerminal
        self.stderrIsTerminal = stderrIsTerminal
    }

    public func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    public func out(bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    /// One line on stderr, prefixed `drgw: `.
    public func note(_ text: String) {
        FileHandle.standardError.write(Data(("drgw: " + text + "\n").utf8))
    }

    /// Redraws the one status line on a terminal's stderr; nothing when stderr is not a terminal.
    public func status(_ text: String) {
        guard stderrIsTerminal else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
    }

    /// Clears the status line.
    public func endStatus() {
        guard stderrIsTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
