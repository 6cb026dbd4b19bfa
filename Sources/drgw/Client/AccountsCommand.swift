import ArgumentParser
import DRGWClient
import DRGWCore

/// `drgw accounts list`.
struct AccountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts", abstract: "The cloud accounts your API key may use.", subcommands: [List.self])

    struct List: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "List your accounts.")
        @OptionGroup var client: ClientOptions

        func execute(_ session: ClientSession) async throws(ClientFailure) {
            try await session.showList("/v1/accounts", as: AccountSummary.self)
        }
    }
}
