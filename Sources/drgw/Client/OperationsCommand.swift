import ArgumentParser
import DRGWClient
import DRGWCore

/// `drgw operations list|get|wait`.
struct OperationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operations", abstract: "Long-running operations behind writes.", subcommands: [List.self, Get.self, Wait.self])

    struct List: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "List operations, newest first.")
        @OptionGroup var client: ClientOptions
        @Option(name: .long, help: "Only this account's.") var account: String?
        @Option(name: .long, help: "running, succeeded or failed.") var status: OperationStatus?
        @Option(name: .long, help: "Only this kind, e.g. drill.create.") var kind: String?
        @Option(name: .long, help: "At most this many.") var max: Int = 200

        func validate() throws {
            guard max > 0 else { throw ValidationError("--max must be above 0") }
        }

        func execute(_ session: ClientSession) async throws(ClientFailure) {
            var query: [(String, String)] = []
            if let account { query.append(("account", account)) }
            if let status { query.append(("status", status.rawValue)) }
            if let kind { query.append(("kind", kind)) }
            try await session.showList("/v1/operations", query: query, max: max, as: GatewayOperation.self)
        }
    }

    struct Get: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Show one operation.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Operation id.") var id: String

        func execute(_ session: ClientSession) async throws(ClientFailure) {
            try await session.showResource("/v1/operations/\(GatewayClient.segment(id))", as: GatewayOperation.self)
        }
    }

    struct Wait: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Follow an operation to its end and print its resource.",
            discussion: "Exit 0 when it succeeded, 1 when it failed, 75 when --timeout passes first.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Operation id.") var id: String
        @Option(name: .long, help: "Seconds to wait before exiting 75 (the operation keeps running).") var timeout: Double = 1800

        func validate() throws {
            guard timeout > 0, timeout <= 7 * 86400 else { throw ValidationError("--timeout must be above 0 and at most 604800") }
        }

        func execute(_ session: ClientSession) async throws(ClientFailure) {
            let interrupt = InterruptNotice(console: session.console)
            let operation = try await session.client.get("/v1/operations/\(GatewayClient.segment(id))", as: GatewayOperation.self)
            let ended = try await session.follow(operation, timeout: timeout, interrupt: interrupt)
            try await session.showOutcome(ended)
        }
    }
}

extension OperationStatus: ExpressibleByArgument {}
