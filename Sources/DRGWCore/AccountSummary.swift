/// One account as `GET /v1/accounts` lists it: no settings, no credentials.
public struct AccountSummary: Codable, Sendable, Equatable {
    public var id: String
    public var provider: String
    public var region: String

    public init(id: String, provider: String, region: String) {
        self.id = id
        self.provider = provider
        self.region = region
    }
}
