import ServiceLifecycle

/// Runs `pass` every `seconds` (measured from the end of one pass to the start of the next) until
/// the task is cancelled or a graceful shutdown begins; a pass in progress finishes its step.
func periodically(every seconds: Double, _ pass: @escaping @Sendable () async -> Void) async {
    try? await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            await pass()
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        }
    }
}
