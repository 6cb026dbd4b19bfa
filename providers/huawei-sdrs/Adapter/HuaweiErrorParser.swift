import DRGWCore
import Foundation

/// Reads Huawei error answers in every documented shape and maps them to the contract.
///
/// Shapes (notes §3.1), tried in the SDK's order: flat `error_code`/`error_msg`, flat
/// `errorCode`/`errorMsg`, flat `code`/`message`, then the same one level down under any key
/// (`error`, `badrequest`, `itemNotFound`, …).
public enum HuaweiErrorParser {
    /// The provider name used in problems.
    public static let provider = "huawei-sdrs"

    /// The upstream code and message found in an error body, if any.
    public static func parse(body: [UInt8]) -> (code: String?, message: String?) {
        guard !body.isEmpty,
            let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        else {
            let text = String(decoding: body.prefix(512), as: UTF8.self)
            return (nil, text.isEmpty ? nil : text)
        }
        if let found = flat(object) { return found }
        for key in object.keys.sorted() {
            if let nested = object[key] as? [String: Any], let found = flat(nested) { return found }
        }
        return (nil, nil)
    }

    private static func flat(_ object: [String: Any]) -> (code: String?, message: String?)? {
        for (codeKey, messageKey) in [("error_code", "error_msg"), ("errorCode", "errorMsg"), ("code", "message")] {
            if let code = text(object[codeKey]) {
                return (code, text(object[messageKey]))
            }
        }
        return nil
    }

    private static func text(_ value: Any?) -> String? {
        switch value {
        case let string as String: return string.isEmpty ? nil : string
        case let number as NSNumber: return number.stringValue
        default: return nil
        }
    }

    /// Maps an error response (status ≥ 400) to the contract's problem; the upstream
    /// `X-Request-Id` is kept as `providerRequestId`.
    public static func problem(for response: UpstreamResponse, table: ErrorCodeTable) -> Problem {
        let (code, message) = parse(body: response.body)
        return table.problem(
            provider: provider, httpStatus: response.status, code: code, message: message,
            requestId: requestId(of: response),
            retryAfter: response.header("Retry-After").flatMap { Int(ASCIIText.trimmed($0)) })
    }

    /// The upstream `X-Request-Id`, trimmed (some transports keep the line ending).
    public static func requestId(of response: UpstreamResponse) -> String? {
        response.header("X-Request-Id").map { ASCIIText.trimmed($0) }
    }

    /// Whether the mapped error proves the request did not take effect upstream.
    public static func provesNotExecuted(_ problem: Problem, table: ErrorCodeTable) -> Bool {
        guard let code = problem.providerCode else { return false }
        return table.mapping(for: code)?.notExecuted ?? false
    }
}
