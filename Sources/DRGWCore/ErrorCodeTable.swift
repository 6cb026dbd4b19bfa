import Foundation

/// How one upstream error code maps to the contract: kept as JSON data under each provider folder.
public struct ErrorMapping: Codable, Sendable, Equatable {
    /// Contract code, e.g. `conflict`.
    public var problem: String
    public var retryable: Bool
    /// True when this error proves the provider did not act (safe to re-send a write).
    public var notExecuted: Bool?

    public init(problem: String, retryable: Bool, notExecuted: Bool? = nil) {
        self.problem = problem
        self.retryable = retryable
        self.notExecuted = notExecuted
    }
}

/// A provider's error-code table: exact codes first, then the longest matching prefix,
/// then the HTTP status (contract: unknown codes map by status).
public struct ErrorCodeTable: Codable, Sendable {
    public var codes: [String: ErrorMapping]
    public var prefixes: [String: ErrorMapping]

    public init(codes: [String: ErrorMapping], prefixes: [String: ErrorMapping] = [:]) {
        self.codes = codes
        self.prefixes = prefixes
    }

    /// Loads a table from JSON bytes.
    public static func load(json: Data) throws -> ErrorCodeTable {
        try JSONDecoder().decode(ErrorCodeTable.self, from: json)
    }

    /// The mapping for an upstream code, if the table knows it.
    public func mapping(for code: String) -> ErrorMapping? {
        if let exact = codes[code] { return exact }
        let match = prefixes.keys.filter { code.hasPrefix($0) }.max { $0.count < $1.count }
        return match.flatMap { prefixes[$0] }
    }

    /// Maps an upstream error to the contract's problem.
    public func problem(
        provider: String, httpStatus: Int, code: String?, message: String?, requestId: String?,
        retryAfter: Int? = nil
    ) -> Problem {
        let mapped = code.flatMap { mapping(for: $0) }
        let problemCode = mapped.flatMap { ProblemCode.named($0.problem) } ?? ProblemCode.forUpstreamStatus(httpStatus)
        let retryable = mapped?.retryable ?? (httpStatus >= 500 || httpStatus == 429)
        var detail = "\(provider) answered HTTP \(httpStatus)"
        if let code { detail += " with \(code)" }
        detail += "."
        return Problem(
            problemCode, detail: detail, retryable: retryable, provider: provider, providerCode: code,
            providerMessage: message.map { String($0.prefix(512)) }, providerRequestId: requestId,
            retryAfter: problemCode == .rateLimited ? (retryAfter ?? 1) : retryAfter
        )
    }
}

/// A provider's status table: upstream status → unified status, kept as JSON data.
public struct StatusTable: Codable, Sendable {
    public var protectionGroup: [String: String]
    public var drill: [String: String]
    /// Upstream job/status values that end an operation, with `succeeded` or `failed`.
    public var terminal: [String: String]?

    public init(protectionGroup: [String: String], drill: [String: String], terminal: [String: String]? = nil) {
        self.protectionGroup = protectionGroup
        self.drill = drill
        self.terminal = terminal
    }

    public static func load(json: Data) throws -> StatusTable {
        try JSONDecoder().decode(StatusTable.self, from: json)
    }

    /// The unified group status; unknown values read as `error` only when they say so, else `available`.
    public func groupStatus(_ upstream: String) -> ProtectionGroupStatus {
        if let mapped = protectionGroup[upstream], let status = ProtectionGroupStatus(rawValue: mapped) { return status }
        return ASCIIText.contains(upstream, "fail") || ASCIIText.contains(upstream, "error") ? .error : .available
    }

    public func drillStatus(_ upstream: String) -> DrillStatus {
        if let mapped = drill[upstream], let status = DrillStatus(rawValue: mapped) { return status }
        return ASCIIText.contains(upstream, "fail") || ASCIIText.contains(upstream, "error") ? .failed : .creating
    }
}
