import ArgumentParser
import DRGWClient
import DRGWCore

/// `drgw groups list|get|start|stop|failover|switchover|reprotect`.
struct GroupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "groups", abstract: "Protection groups and their actions.",
        subcommands: [
            List.self, Get.self, Action<Start>.self, Action<Stop>.self, Action<Failover>.self, Switchover.self, Action<Reprotect>.self,
        ])

    struct List: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "List protection groups.")
        @OptionGroup var client: ClientOptions
        @OptionGroup var account: AccountOption
        @Option(name: .long, help: "Only groups with this status.") var status: ProtectionGroupStatus?

        func execute(_ session: ClientSession) async throws(ClientFailure) {
            try await session.showList(
                account.path + "/protection-groups", query: status.map { [("status", $0.rawValue)] } ?? [], as: ProtectionGroup.self)
        }
    }

    struct Get: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Show one protection group.")
        @OptionGroup var client: ClientOptions
        @OptionGroup var account: AccountOption
        @Argument(help: "Protection group id.") var id: String

        func execute(_ session: ClientSession) async throws(ClientFailure) {
            try await session.showResource(account.path + "/protection-groups/\(GatewayClient.segment(id))", as: ProtectionGroup.self)
        }
    }

    /// An action without a body.
    struct Action<Kind: ActionKind>: GroupAction {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: Kind.action.rawValue, abstract: Kind.abstract)
        }
        static var action: ProtectionGroupAction { Kind.action }
        @OptionGroup var client: ClientOptions
        @OptionGroup var account: AccountOption
        @OptionGroup var write: WriteOptions
        @Argument(help: "Protection group id.") var id: String
    }

    enum Start: ActionKind {
        static let action = ProtectionGroupAction.start
        static let abstract = "Start protection (replication)."
    }

    enum Stop: ActionKind {
        static let action = ProtectionGroupAction.stop
        static let abstract = "Stop protection."
    }

    enum Failover: ActionKind {
        static let action = ProtectionGroupAction.failover
        static let abstract = "Fail over to the target site (a real disaster)."
    }

    enum Reprotect: ActionKind {
        static let action = ProtectionGroupAction.reprotect
        static let abstract = "Protect again in the other direction after a failover."
    }

    struct Switchover: GroupAction {
        static let action = ProtectionGroupAction.switchover
        static let configuration = CommandConfiguration(abstract: "Planned switch of the active site.")
        @OptionGroup var client: ClientOptions
        @OptionGroup var account: AccountOption
        @OptionGroup var write: WriteOptions
        @Argument(help: "Protection group id.") var id: String
        @Option(name: .customLong("priority-station"), help: "target or source.") var priorityStation: String = "target"

        func validate() throws {
            guard ["target", "source"].contains(priorityStation) else { throw ValidationError("--priority-station must be target or source") }
        }

        var body: [String: Any] { ["priorityStation": priorityStation] }
    }
}

extension ProtectionGroupStatus: ExpressibleByArgument {}

/// Names one body-less protection group action.
protocol ActionKind {
    static var action: ProtectionGroupAction { get }
    static var abstract: String { get }
}

/// A protection group action: POST …/protection-groups/{id}/{action}, optionally followed.
protocol GroupAction: ClientCommand {
    static var action: ProtectionGroupAction { get }
    var account: AccountOption { get }
    var write: WriteOptions { get }
    var id: String { get }
    var body: [String: Any] { get }
}

extension GroupAction {
    var body: [String: Any] { [:] }

    func execute(_ session: ClientSession) async throws(ClientFailure) {
        let interrupt = write.wait ? InterruptNotice(console: session.console) : nil
        try await session.write(
            "POST", account.path + "/protection-groups/\(GatewayClient.segment(id))/\(Self.action.rawValue)",
            json: requestJSON(body), settings: write.settings, interrupt: interrupt)
    }
}
