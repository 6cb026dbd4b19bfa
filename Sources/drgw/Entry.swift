import Foundation
import NIOCore
import NIOPosix

/// Process entry point. Before any task runs, NIO's event loops become Swift Concurrency's global
/// executor: request handlers and the continuations of upstream calls and store queries then run
/// on the threads that do the socket I/O, instead of hopping between NIO's threads and a second
/// thread pool on every await (about 10–15 % less CPU per request in `scripts/bench`). Nothing in
/// drgw blocks a task for long: upstream I/O is driven by curl on the same loops without blocking, and SQLite runs on GRDB's queues.
/// `DRGW_NIO_EXECUTOR=0` keeps Swift's default executor. The client commands keep it too: they
/// make a handful of calls and run no server.
@main
enum Entry {
    static func main() async {
        MallocTuning.apply()
        if let text = ProcessInfo.processInfo.environment["DRGW_EVENT_LOOPS"], let loops = Int(text), (1...64).contains(loops) {
            NIOSingletons.groupLoopCountSuggestion = loops
        }
        let servesRequests = ["serve", "demo", "simulate"].contains(CommandLine.arguments.dropFirst().first ?? "")
        if servesRequests, ProcessInfo.processInfo.environment["DRGW_NIO_EXECUTOR"] != "0" {
            if !NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() {
                FileHandle.standardError.write(Data("drgw: NIO's event loops could not become the task executor; using Swift's\n".utf8))
            }
        }
        await DRGW.main()
    }
}
