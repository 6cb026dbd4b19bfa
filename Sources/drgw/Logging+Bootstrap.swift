import DRGWServer
import Foundation
import Logging
import Synchronization

/// JSON logs on stdout, bootstrapped once.
enum LogSetup {
    private static let done = Mutex(false)

    static func bootstrap(level: String) -> Logger {
        let parsed = Logger.Level(rawValue: level) ?? .info
        done.withLock { done in
            guard !done else { return }
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: parsed) }
            // Lines still in the sink's buffer go out when the process exits normally (at most 2 s).
            atexit { LogSink.standardOutput.flush() }
            done = true
        }
        var logger = Logger(label: "drgw")
        logger.logLevel = parsed
        return logger
    }
}
