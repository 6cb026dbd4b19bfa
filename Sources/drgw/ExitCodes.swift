import ArgumentParser
import DRGWServer
import Foundation

extension ExitCode {
    /// EX_CONFIG from sysexits.h.
    static let configuration = ExitCode(78)
}

/// Prints a configuration error naming the key and exits 78.
func failConfiguration(_ error: ConfigError) -> ExitCode {
    FileHandle.standardError.write(Data("drgw: \(error.description)\n".utf8))
    return .configuration
}

/// Writes a line to stdout at once (no buffering, safe from any task).
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
