import ArgumentParser

/// The `drgw` command: the gateway, its demo and simulators, and the client commands
/// (started by `Entry`).
struct DRGW: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drgw",
        abstract: "A multi-cloud disaster-recovery gateway: one API for protection groups, DR drills and operations.",
        version: "0.1.0",
        subcommands: [
            ServeCommand.self, DemoCommand.self, SimulateCommand.self, HealthcheckCommand.self,
            AccountsCommand.self, GroupsCommand.self, DrillsCommand.self, OperationsCommand.self, ReportsCommand.self,
            SchedulesCommand.self,
        ]
    )
}
