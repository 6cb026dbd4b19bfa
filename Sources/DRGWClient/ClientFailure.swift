import DRGWCore

/// Why a client command did not succeed, with its process exit code.
///
/// `message` is what the user reads on stderr: the problem's `code` and `detail`, or the URL
/// that could not be reached. It never holds the API key or a request body.
public struct ClientFailure: Error, Sendable, CustomStringConvertible {
    /// A stable code: the gateway problem's `code`, or one of the client's own
    /// (`gateway_unreachable`, `wait_timed_out`, `operation_failed`, `unexpected_answer`).
    public var code: String
    public var message: String
    public var exitCode: Int32
    /// The operation this failure is about, when there is one (to resume or inspect it).
    public var operationId: String?

    public init(code: String, message: String, exitCode: Int32, operationId: String? = nil) {
        self.code = code
        self.message = message
        self.exitCode = exitCode
        self.operationId = operationId
    }

    public var description: String { "\(code): \(message)" }

    /// A problem answer of the gateway: its detail, each field error on a line of its own, and the
    /// request id to quote to whoever runs the gateway.
    public static func problem(_ problem: Problem) -> ClientFailure {
        var message = problem.detail
        for error in problem.errors ?? [] { message += "\n  \(error.field): \(error.message)" }
        if let requestId = problem.requestId { message += "\n  (request id \(requestId))" }
        return ClientFailure(code: problem.code, message: message, exitCode: ClientExitCode.forStatus(problem.status))
    }

    /// An error answer whose body is not a problem (a proxy in front of the gateway, say).
    public static func status(_ status: Int, url: String) -> ClientFailure {
        ClientFailure(
            code: "http_\(status)", message: "\(url) answered HTTP \(status) without a problem body",
            exitCode: ClientExitCode.forStatus(status))
    }

    /// The gateway could not be reached, or the exchange broke.
    public static func unreachable(_ url: String, _ error: TransportError) -> ClientFailure {
        let why: String
        switch error.code {
        case .connectFailed: why = "connection failed (is the gateway running there? set DRGW_URL or --url)"
        case .timedOut: why = "no answer in time"
        case .tls: why = "TLS handshake failed"
        case .reset: why = "the connection broke"
        case .tooLarge: why = "the answer was too large"
        case .cancelled: why = "cancelled"
        case .other: why = "transport error"
        }
        return ClientFailure(code: "gateway_unreachable", message: "cannot reach \(url): \(why)", exitCode: ClientExitCode.unavailable)
    }

    /// A 2xx answer that is not what the API promises.
    public static func unexpected(_ url: String, _ what: String) -> ClientFailure {
        ClientFailure(code: "unexpected_answer", message: "\(url): \(what)", exitCode: ClientExitCode.unavailable)
    }

    /// `--wait` ran out of time; the operation goes on.
    public static func waitTimedOut(_ operation: GatewayOperation, seconds: Double) -> ClientFailure {
        ClientFailure(
            code: "wait_timed_out",
            message: "operation \(operation.id) (\(operation.kind)) still running after \(Int(seconds.rounded())) s; "
                + "resume with: drgw operations wait \(operation.id)",
            exitCode: ClientExitCode.tempFail, operationId: operation.id)
    }

    /// The operation ended `failed`.
    public static func operationFailed(_ operation: GatewayOperation) -> ClientFailure {
        let code = operation.error?.code ?? "operation_failed"
        let detail = operation.error?.detail ?? "the operation failed"
        return ClientFailure(
            code: code, message: "operation \(operation.id) (\(operation.kind)) failed: \(detail)",
            exitCode: ClientExitCode.operationFailed, operationId: operation.id)
    }
}
