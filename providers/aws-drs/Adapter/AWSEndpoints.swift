import Foundation

/// Region → endpoint table (`Data/endpoints.json`): the `drs.{region}.amazonaws.com` pattern and
/// the regions that differ from it (China).
public struct AWSEndpoints: Codable, Sendable {
    /// Endpoint pattern for regions not listed, with `{region}` substituted.
    public var template: String
    /// Regions whose endpoint does not follow the template.
    public var regions: [String: String]

    /// The base URL of a region's DRS endpoint.
    public func endpoint(for region: String) -> String {
        regions[region] ?? template.replacingOccurrences(of: "{region}", with: region)
    }
}
