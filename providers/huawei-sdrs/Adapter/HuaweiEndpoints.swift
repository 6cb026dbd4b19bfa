import Foundation

/// Region → endpoint table (`Data/endpoints.json`), including the SDK's `ap-southeast-2` quirk.
public struct HuaweiEndpoints: Codable, Sendable {
    /// Endpoint pattern for regions not listed, with `{region}` substituted.
    public var template: String
    /// Known regions and their endpoints.
    public var regions: [String: String]

    /// The base URL of a region's SDRS endpoint.
    public func endpoint(for region: String) -> String {
        regions[region] ?? template.replacingOccurrences(of: "{region}", with: region)
    }
}
