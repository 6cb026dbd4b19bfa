import ArgumentParser
import DRGWClient
import DRGWCore
import Foundation

/// `drgw drills list|get|create|delete|report|result`.
struct DrillsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drills", abstract: "DR drills, their reports and verdicts.",
        subcommands: [List.self, Get.self, Create.self, Delete.self, Report.self, Result.self])

    struct List: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "List drills.")
        @OptionGroup var client: ClientOptions
        @OptionGroup var account: AccountOption
        @Option(name: .long, help: "Only drills of this protection group.") var group: String?
        @Option(name: .long, help: "Only drills with this status.") var status: DrillStatus?

        func execute(_ session: ClientSession) async throws(ClientFailure) {
            var query: [(String, String)] = []
            if let group { query.append(("protectionGroupId", group)) }
            if let status { query.append(("status", status.rawValue)) }
            try await session.showList(account.path + "/drills", query: query, as: Drill.self)
        }
    }

    struct Get: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Show one drill.")
        @OptionGroup var client: ClientOptions
        @OptionGroup var account: AccountOption
        @Argument(help: "Drill id.") var id: String

        func execute(_ session: ClientSession) async throws(ClientFailure) {
            try await session.showResource(account.path + "/drills/\(GatewayClient.segment(id))", as: Drill.self)
        }
    }

    struct Create: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a drill of a protection group.",
            discussion: "Prints the operation, or with --wait the ready drill. Exit 1 when the drill fails, 75 when --wait times out.")
        @OptionGroup var client: ClientOptions
        @OptionGroup var account: AccountOption
        @Option(name: .long, help: "Protection group id.") var group: String
        @Option(name: .long, help: "Drill name. Default: drill-<UTC time>.") var name: String?
        @Option(name: .customLong("cleanup-after"), help: "ISO 8601 duration (PT2H, P1D): the gateway deletes the drill this long after the create.")
        var cleanupAfter: String?
        @Option(name: .customLong("rto-target"), help: "Seconds: a drill slower than this fails by itself.") var rtoTarget: Int?
        @Option(name: .customLong("rpo-target"), help: "Seconds: a drill whose RPO is above it fails by itself.") var rpoTarget: Int?
        @Option(name: .long, help: "Drill network id (Huawei).") var network: String?
        @OptionGroup var write: WriteOptions

        func execute(_ session: ClientSession) async throws(ClientFailure) {
            var body: [String: Any] = ["protectionGroupId": group, "name": name ?? Self.defaultName(Date())]
            if let cleanupAfter { body["cleanupAfter"] = cleanupAfter }
            if let rtoTarget { body["rtoTargetSeconds"] = rtoTarget }
            if let rpoTarget { body["rpoTargetSeconds"] = rpoTarget }
            if let network { body["drillNetworkId"] = network }
            let interrupt = write.wait ? InterruptNotice(console: session.console) : nil
            try await session.write("POST", account.path + "/drills", json: requestJSON(body), settings: write.settings, interrupt: interrupt)
        }

        static func defaultName(_ now: Date) -> String {
            "drill-" + Timestamp.basicISO8601(now)
        }
    }

    struct Delete: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a drill (its report stays).")
        @OptionGroup var client: ClientOptions
        @OptionGroup var account: AccountOption
        @Argument(help: "Drill id.") var id: String
        @OptionGroup var write: WriteOptions

        func execute(_ session: ClientSession) async throws(ClientFailure) {
            let interrupt = write.wait ? InterruptNotice(console: session.console) : nil
            try await session.write("DELETE", account.path + "/drills/\(GatewayClient.segment(id))", settings: write.settings, interrupt: interrupt)
        }
    }

    struct Report: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Show a drill's report: RTO, RPO, outcome, cleanup.")
        @OptionGroup var client: ClientOptions
        @OptionGroup var account: AccountOption
        @Argument(help: "Drill id.") var id: String

        func execute(_ session: ClientSession) async throws(ClientFailure) {
            try await session.showResource(account.path + "/drills/\(GatewayClient.segment(id))/report", as: DrillReport.self)
        }
    }

    struct Result: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Record a person's verdict on a drill.")
        @OptionGroup var client: ClientOptions
        @OptionGroup var account: AccountOption
        @Argument(help: "Drill id.") var id: String
        @Option(name: .long, help: "passed or failed.") var outcome: String
        @Option(name: .long, help: "Free text, at most 4 KiB.") var notes: String?

        func validate() throws {
            guard ["passed", "failed"].contains(outcome) else { throw ValidationError("--outcome must be passed or failed") }
        }

        func execute(_ session: ClientSession) async throws(ClientFailure) {
            var body: [String: Any] = ["outcome": outcome]
            if let notes { body["notes"] = notes }
            let reply = try await session.client.send("POST", account.path + "/drills/\(GatewayClient.segment(id))/result", json: requestJSON(body))
            try session.show(reply, as: DrillReport.self)
        }
    }
}

extension DrillStatus: ExpressibleByArgument {}
