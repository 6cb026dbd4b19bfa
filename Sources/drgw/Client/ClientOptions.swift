import ArgumentParser
import DRGWClient
import DRGWTransport
import Foundation

extension ClientSession.Output: ExpressibleByArgument {}

/// Where the gateway is and how to print, shared by every client command.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: "Gateway URL. Default: DRGW_URL, else http://127.0.0.1:8080.")
    var url: String?

    @Option(name: .customLong("api-key-env"), help: ArgumentHelp("Environment variable that holds the API key (never pass a key as a flag).", valueName: "NAME"))
    var apiKeyEnv: String = "DRGW_API_KEY"

    @Option(name: .long, help: "table or json. Default: table on a terminal, json when piped.")
    var output: ClientSession.Output?

    @Option(name: .customLong("request-timeout"), help: "Seconds for one HTTP exchange with the gateway.")
    var requestTimeout: Double = 60

    func validate() throws {
        guard !apiKeyEnv.isEmpty, apiKeyEnv.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw ValidationError("--api-key-env takes the name of an environment variable, not a key")
        }
        guard requestTimeout > 0, requestTimeout <= 3600 else { throw ValidationError("--request-timeout must be above 0 and at most 3600") }
    }

    func session(transport: CurlTransport) throws(ClientFailure) -> ClientSession {
        let environment = ProcessInfo.processInfo.environment
        let base = url ?? environment["DRGW_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://127.0.0.1:8080"
        let client = try GatewayClient(baseURL: base, apiKey: environment[apiKeyEnv], transport: transport, timeout: requestTimeout)
        return ClientSession(client: client, output: output)
    }
}

/// `--account`, defaulting to `DRGW_ACCOUNT`.
struct AccountOption: ParsableArguments {
    @Option(name: .long, help: "Account id. Default: DRGW_ACCOUNT.")
    var account: String?

    var resolved: String {
        account ?? ProcessInfo.processInfo.environment["DRGW_ACCOUNT"] ?? ""
    }

    func validate() throws {
        guard !resolved.isEmpty else { throw ValidationError("--account is required (or set DRGW_ACCOUNT)") }
    }

    /// `/v1/accounts/{account}` with the id percent-encoded.
    var path: String { "/v1/accounts/\(GatewayClient.segment(resolved))" }
}

/// `--wait`, `--timeout` and `--idempotency-key` of a write.
struct WriteOptions: ParsableArguments {
    @Flag(name: .long, help: "Follow the operation to its end and print the final resource.")
    var wait = false

    @Option(name: .long, help: "Seconds --wait follows the operation before exiting 75 (the operation keeps running).")
    var timeout: Double = 1800

    @Option(name: .customLong("idempotency-key"), help: "Key of this write; a re-run with the same key never does the work twice. Default: a fresh key, printed on stderr.")
    var idempotencyKey: String?

    func validate() throws {
        guard timeout > 0, timeout <= 7 * 86400 else { throw ValidationError("--timeout must be above 0 and at most 604800") }
        if let idempotencyKey {
            guard (1...255).contains(idempotencyKey.utf8.count), idempotencyKey.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                throw ValidationError("--idempotency-key must be 1 to 255 visible ASCII characters")
            }
        }
    }

    var settings: WriteSettings {
        WriteSettings(idempotencyKey: idempotencyKey, wait: wait, timeout: timeout)
    }
}

/// A client command: runs against the gateway, prints, and maps a failure to its exit code.
protocol ClientCommand: AsyncParsableCommand {
    var client: ClientOptions { get }
    func execute(_ session: ClientSession) async throws(ClientFailure)
}

extension ClientCommand {
    func run() async throws {
        let transport = CurlTransport(userAgent: "drgw-cli/\(DRGW.configuration.version)")
        defer { transport.shutdown() }
        let console = Console()
        do {
            try await execute(try client.session(transport: transport))
        } catch {
            console.endStatus()
            console.note("\(error.code): \(error.message)")
            throw ExitCode(error.exitCode)
        }
    }
}

/// JSON of a request body, with sorted keys.
func requestJSON(_ object: [String: Any]) -> [UInt8] {
    Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8))
}
