import DRGWCore
import Foundation

/// Reads DRS error answers (rest-json) and maps them to the contract.
///
/// The error type comes from the `x-amzn-ErrorType` header (its `:` suffix cut off, as botocore
/// does), else from the body's `code` or `__type` (a `#` prefix cut off); the text from `message`.
public enum AWSErrorParser {
    /// The error type and message of an error answer, if any.
    public static func parse(_ response: UpstreamResponse) -> (type: String?, message: String?) {
        let body = try? JSONDecoder().decode(DRSWire.ErrorBody.self, from: Data(response.body))
        var type = response.header("x-amzn-ErrorType").map { ASCIIText.trimmed($0) }
        if let header = type, let colon = header.firstIndex(of: ":") { type = String(header[..<colon]) }
        if type?.isEmpty ?? true { type = body?.code ?? body?.type }
        if let found = type, let hash = found.lastIndex(of: "#") { type = String(found[found.index(after: hash)...]) }
        var message = body?.message
        if body == nil, !response.body.isEmpty {
            message = String(decoding: response.body.prefix(512), as: UTF8.self)
        }
        return (type.flatMap { $0.isEmpty ? nil : $0 }, message)
    }

    /// Maps an error response (status ≥ 400) to the contract's problem, keeping `x-amzn-RequestId`.
    public static func problem(for response: UpstreamResponse, table: ErrorCodeTable) -> Problem {
        let (type, message) = parse(response)
        let retryAfter = response.header("Retry-After").flatMap { Int(ASCIIText.trimmed($0)) }
        return table.problem(
            provider: AWSDRSPlugin.name, httpStatus: response.status, code: type, message: message,
            requestId: requestId(of: response), retryAfter: retryAfter)
    }

    /// The upstream request id (`x-amzn-RequestId`).
    public static func requestId(of response: UpstreamResponse) -> String? {
        (response.header("x-amzn-RequestId") ?? response.header("x-amz-request-id")).map { ASCIIText.trimmed($0) }
    }

    /// Whether the mapped error proves the request did not take effect upstream.
    public static func provesNotExecuted(_ problem: Problem, table: ErrorCodeTable) -> Bool {
        guard let code = problem.providerCode, let mapping = table.mapping(for: code) else { return false }
        return mapping.notExecuted ?? false
    }
}
