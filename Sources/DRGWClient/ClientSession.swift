import DRGWCore
import Foundation

/// One client command's connection to the gateway and its way of printing: a table for a person
/// at a terminal, the gateway's JSON for a script.
public struct ClientSession: Sendable {
    public enum Output: String, Sendable, CaseIterable {
        case table, json
    }

    public let client: GatewayClient
    public let output: Output
    public let console: Console

    public init(client: GatewayClient, output: Output?, console: Console = Console()) {
        self.client = client
        self.output = output ?? (console.stdoutIsTerminal ? .table : .json)
        self.console = console
    }

    /// Prints one resource answer: the gateway's JSON as it came, or a field/value table.
    public func show<T: Tabular & Decodable>(_ reply: GatewayClient.Reply, as type: T.Type) throws(ClientFailure) {
        let value = try reply.decode(type)
        switch output {
        case .json: console.out(bytes: reply.body + [UInt8(ascii: "\n")])
        case .table: console.out(value.detail().render())
        }
    }

    /// GETs one resource and prints it.
    public func showResource<T: Tabular & Decodable>(_ path: String, as type: T.Type) async throws(ClientFailure) {
        try show(try await client.send("GET", path), as: type)
    }

    /// GETs every page of a list and prints it as one table or one `{"items":[…]}` document.
    public func showList<T: Tabular & Decodable & Sendable>(
        _ path: String, query: [(String, String)] = [], max: Int? = nil, as type: T.Type
    ) async throws(ClientFailure) {
        let list = try await client.listAll(path, query: query, max: max, as: type)
        switch output {
        case .json: console.out(bytes: list.json + [UInt8(ascii: "\n")])
        case .table:
            if list.items.isEmpty { console.note("no items") } else { console.out(T.table(list.items).render()) }
        }
    }

    /// Sends a write that answers an operation, then follows it when asked and prints the final
    /// resource (or the operation where there is none: a delete). Throws `operationFailed` when
    /// the operation ends failed, after printing it.
    public func write(
        _ method: String, _ path: String, json: [UInt8]? = nil, settings: WriteSettings, interrupt: InterruptNotice? = nil
    ) async throws(ClientFailure) {
        let key = settings.idempotencyKey ?? WriteSettings.freshKey()
        if settings.idempotencyKey == nil {
            console.note("Idempotency-Key \(key) (run again with --idempotency-key \(key) to repeat this safely)")
        }
        let reply = try await client.send(method, path, json: json ?? (method == "POST" ? Array("{}".utf8) : nil), headers: [("Idempotency-Key", key)])
        let operation = try reply.decode(GatewayOperation.self)
        guard settings.wait else {
            try show(reply, as: GatewayOperation.self)
            return
        }
        let ended = try await follow(operation, timeout: settings.timeout, interrupt: interrupt)
        try await showOutcome(ended)
    }

    /// Follows an operation, drawing a status line on a terminal, and returns it ended.
    public func follow(_ operation: GatewayOperation, timeout: Double, interrupt: InterruptNotice?) async throws(ClientFailure) -> GatewayOperation {
        interrupt?.following(operation.id)
        defer { interrupt?.following(nil) }
        let console = self.console
        let line = StatusLine(console: console, operation: operation)
        line.start()
        defer { line.stop() }
        return try await OperationFollower(client: client).follow(operation, timeout: timeout) { current, _ in
            line.update(current)
        }
    }

    /// Prints the result of an ended operation: the resource it made or changed, else the operation.
    public func showOutcome(_ operation: GatewayOperation) async throws(ClientFailure) {
        guard operation.status == .succeeded else {
            try show(try await client.send("GET", "/v1/operations/\(GatewayClient.segment(operation.id))"), as: GatewayOperation.self)
            throw ClientFailure.operationFailed(operation)
        }
        if let path = Self.resourcePath(operation) {
            do {
                if operation.resource.type == "drill" {
                    try await showResource(path, as: Drill.self)
                } else {
                    try await showResource(path, as: ProtectionGroup.self)
                }
                return
            } catch {
                // Gone already (a cleanup, another client): the operation is the record.
                guard error.exitCode == ClientExitCode.notFound else { throw error }
            }
        }
        try show(try await client.send("GET", "/v1/operations/\(GatewayClient.segment(operation.id))"), as: GatewayOperation.self)
    }

    /// Where the resource of an operation lives, unless the operation removed it.
    static func resourcePath(_ operation: GatewayOperation) -> String? {
        guard !operation.kind.hasSuffix(".delete"), let id = operation.resource.id else { return nil }
        let account = GatewayClient.segment(operation.account)
        switch operation.resource.type {
        case "drill": return "/v1/accounts/\(account)/drills/\(GatewayClient.segment(id))"
        case "protectionGroup": return "/v1/accounts/\(account)/protection-groups/\(GatewayClient.segment(id))"
        default: return nil
        }
    }
}
