import ArgumentParser
import DRGWClient
import DRGWCore

/// `drgw schedules list|get|create|delete|run`.
struct SchedulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedules", abstract: "Drills on a cron schedule.", subcommands: [List.self, Get.self, Create.self, Delete.self, Run.self])

    struct List: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "List schedules.")
        @OptionGroup var client: ClientOptions
        @Option(name: .long, help: "Only this account's.") var account: String?

        func execute(_ session: ClientSession) async throws(ClientFailure) {
            try await session.showList("/v1/schedules", query: account.map { [("account", $0)] } ?? [], as: Schedule.self)
        }
    }

    struct Get: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Show one schedule.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Schedule id.") var id: String

        func execute(_ session: ClientSession) async throws(ClientFailure) {
            try await session.showResource("/v1/schedules/\(GatewayClient.segment(id))", as: Schedule.self)
        }
    }

    struct Create: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Create a schedule.")
        @OptionGroup var client: ClientOptions
        @OptionGroup var account: AccountOption
        @Option(name: .long, help: "Schedule name; each drill is named <name>-<slot>.") var name: String
        @Option(name: .long, help: "Protection group id.") var group: String
        @Option(name: .long, help: "Five or six cron fields, or @daily and friends.") var cron: String
        @Option(name: .long, help: "IANA time zone of the cron fields.") var timezone: String = "UTC"
        @Option(name: .customLong("cleanup-after"), help: "ISO 8601 duration after which each drill is deleted.") var cleanupAfter: String?
        @Option(name: .customLong("rto-target"), help: "Seconds.") var rtoTarget: Int?
        @Option(name: .customLong("rpo-target"), help: "Seconds.") var rpoTarget: Int?

        func execute(_ session: ClientSession) async throws(ClientFailure) {
            var body: [String: Any] = ["name": name, "account": account.resolved, "protectionGroupId": group, "cron": cron, "timezone": timezone]
            if let cleanupAfter { body["cleanupAfter"] = cleanupAfter }
            if let rtoTarget { body["rtoTargetSeconds"] = rtoTarget }
            if let rpoTarget { body["rpoTargetSeconds"] = rpoTarget }
            try session.show(try await session.client.send("POST", "/v1/schedules", json: requestJSON(body)), as: Schedule.self)
        }
    }

    struct Delete: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a schedule (its reports stay).")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Schedule id.") var id: String

        func execute(_ session: ClientSession) async throws(ClientFailure) {
            _ = try await session.client.send("DELETE", "/v1/schedules/\(GatewayClient.segment(id))")
            session.console.note("schedule \(id) deleted")
        }
    }

    struct Run: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Start the schedule's drill now.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Schedule id.") var id: String
        @OptionGroup var write: WriteOptions

        func execute(_ session: ClientSession) async throws(ClientFailure) {
            let interrupt = write.wait ? InterruptNotice(console: session.console) : nil
            try await session.write("POST", "/v1/schedules/\(GatewayClient.segment(id))/run", settings: write.settings, interrupt: interrupt)
        }
    }
}
