import DRGWCore
import Foundation

/// The POP gateway's error envelope: `{RequestId, HostId, Code, Message, Recommend}`.
public struct AlibabaErrorBody: Codable, Sendable, Equatable {
    /// `RequestId`, reported as the problem's `providerRequestId`.
    public var requestId: String?
    /// `HostId`, the endpoint that answered.
    public var hostId: String?
    /// `Code`, looked up in `Data/errors.json`.
    public var code: String?
    /// `Message`, reported (trimmed) as `providerMessage` except for signature codes.
    public var message: String?
    /// `Recommend`, the troubleshooting link.
    public var recommend: String?

    /// Creates an envelope.
    public init(requestId: String? = nil, hostId: String? = nil, code: String? = nil, message: String? = nil, recommend: String? = nil) {
        self.requestId = requestId
        self.hostId = hostId
        self.code = code
        self.message = message
        self.recommend = recommend
    }

    enum CodingKeys: String, CodingKey {
        case requestId = "RequestId", hostId = "HostId", code = "Code", message = "Message", recommend = "Recommend"
    }

    /// Parses an error body; the SDK also accepts lowercase keys, so do we.
    public static func parse(_ body: [UInt8]) -> AlibabaErrorBody? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
        func field(_ name: String) -> String? {
            let lower = name.prefix(1).lowercased() + name.dropFirst()
            return (object[name] ?? object[lower]).map { "\($0)" }
        }
        return AlibabaErrorBody(
            requestId: field("RequestId"), hostId: field("HostId"), code: field("Code"), message: field("Message"),
            recommend: field("Recommend"))
    }

    /// Maps an error answer to the contract's problem with `Data/errors.json`.
    ///
    /// `Throttling*` codes are rate limiting whatever the HTTP status; the wait comes from
    /// `x-acs-retry-after` (milliseconds, as the SDK's retry policy reads it) or `Retry-After` (seconds).
    /// The server's `Message` is kept (trimmed) but `SignatureDoesNotMatch` messages, which carry
    /// the server's string to sign, are dropped.
    public static func problem(status: Int, headers: [(name: String, value: String)], body: [UInt8], table: ErrorCodeTable = AlibabaTables.errors)
        -> Problem
    {
        let parsed = parse(body)
        let code = parsed?.code
        var message = parsed?.message
        if let code, code.hasPrefix("Signature") || code == "IncompleteSignature" { message = nil }
        var problem = table.problem(
            provider: "alibaba-ebs", httpStatus: status, code: code, message: message, requestId: parsed?.requestId,
            retryAfter: retryAfterSeconds(headers))
        if parsed == nil {
            problem = Problem(
                status >= 500 ? ProblemCode.forUpstreamStatus(status) : .upstreamError,
                detail: "alibaba-ebs answered HTTP \(status) without a readable error body.", provider: "alibaba-ebs")
        }
        return problem
    }

    /// Seconds to wait from `x-acs-retry-after` (ms) or `Retry-After` (s), rounded up.
    public static func retryAfterSeconds(_ headers: [(name: String, value: String)]) -> Int? {
        func value(_ name: String) -> String? { headers.first { HeaderName.equal($0.name, name) }?.value }
        if let ms = value("x-acs-retry-after").flatMap({ Int(ASCIIText.trimmed($0)) }), ms > 0 {
            return max(1, (ms + 999) / 1000)
        }
        if let seconds = value("retry-after").flatMap({ Int(ASCIIText.trimmed($0)) }), seconds >= 0 {
            return seconds
        }
        return nil
    }
}
