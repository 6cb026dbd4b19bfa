import Foundation

/// Where an account's API lives, read once from its configured (or regional) endpoint URL.
public struct UpstreamEndpoint: Sendable, Equatable {
    /// `scheme://host[:port]` plus any base path, without a trailing slash.
    public let baseURL: String
    /// The `Host` header value: the URL's host, with its port when the URL names one.
    public let hostHeader: String

    /// Parses `url`; anything without a scheme and a host is a 400 naming `field`.
    public init(_ url: String, field: String) throws {
        guard let components = URLComponents(string: url), let host = components.host, let scheme = components.scheme else {
            throw Problem.invalid([FieldError(field: field, message: "is not a URL")])
        }
        hostHeader = components.port.map { "\(host):\($0)" } ?? host
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        baseURL = "\(scheme)://\(hostHeader)\(path)"
    }
}

extension ProviderPlugin {
    /// Throws the account's `validate(account:)` problems as one 400, each under `accounts.<id>.<key>`.
    public static func requireValid(_ account: AccountSettings) throws {
        let problems = validate(account: account)
        if !problems.isEmpty {
            throw Problem.invalid(problems.map { FieldError(field: "accounts.\(account.id).\($0.key)", message: $0.reason) })
        }
    }
}

extension AccountSettings {
    /// `credentials.accessKey` / `credentials.secretKey` missing, for a cloud that signs with a key pair.
    public func keyPairProblems(provider: String) -> [AccountSettingProblem] {
        var problems: [AccountSettingProblem] = []
        if (credentials.accessKey ?? "").isEmpty {
            problems.append(AccountSettingProblem(key: "credentials.accessKey", reason: "is required for \(provider) accounts"))
        }
        if (credentials.secretKey ?? "").isEmpty {
            problems.append(AccountSettingProblem(key: "credentials.secretKey", reason: "is required for \(provider) accounts"))
        }
        return problems
    }
}
