import ArgumentParser
import DRGWClient
import DRGWCore

/// `drgw reports list`: the drill evidence, as a table, JSON or CSV.
struct ReportsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reports", abstract: "Drill reports: the evidence that outlives the drills.", subcommands: [List.self])

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, csv
    }

    struct List: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "List drill reports, newest first.",
            discussion: "--format csv streams every page as one CSV document (one header line) for a spreadsheet or an auditor.")
        @OptionGroup var client: ClientOptions
        @Option(name: .long, help: "Only this account's.") var account: String?
        @Option(name: .long, help: "Only this protection group's.") var group: String?
        @Option(name: .long, help: "Only drills of this schedule.") var schedule: String?
        @Option(name: .long, help: "pending, passed or failed.") var outcome: DrillOutcome?
        @Option(name: .long, help: "Requested at or after this time (RFC 3339, …Z).") var from: String?
        @Option(name: .long, help: "Requested before this time (RFC 3339, …Z).") var to: String?
        @Option(name: .long, help: "table, json or csv. Default: --output.") var format: Format?

        var query: [(String, String)] {
            var query: [(String, String)] = []
            if let account { query.append(("account", account)) }
            if let group { query.append(("protectionGroupId", group)) }
            if let schedule { query.append(("scheduleId", schedule)) }
            if let outcome { query.append(("outcome", outcome.rawValue)) }
            if let from { query.append(("from", from)) }
            if let to { query.append(("to", to)) }
            return query
        }

        func execute(_ session: ClientSession) async throws(ClientFailure) {
            switch format {
            case .csv: try await session.streamCSV("/v1/reports", query: query)
            case .json: try await ClientSession(client: session.client, output: .json).showList("/v1/reports", query: query, as: DrillReport.self)
            case .table: try await ClientSession(client: session.client, output: .table).showList("/v1/reports", query: query, as: DrillReport.self)
            case nil: try await session.showList("/v1/reports", query: query, as: DrillReport.self)
            }
        }
    }
}

extension DrillOutcome: ExpressibleByArgument {}
