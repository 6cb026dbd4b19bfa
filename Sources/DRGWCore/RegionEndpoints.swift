import Foundation

/// A provider's region → endpoint table (`Data/endpoints.json` in its folder): a pattern with
/// `{region}` for most regions, and the regions that differ from it.
public struct RegionEndpoints: Codable, Sendable {
    /// Endpoint pattern for regions not listed, with `{region}` substituted.
    public var template: String
    /// Regions whose endpoint does not follow the template.
    public var regions: [String: String]

    public init(template: String, regions: [String: String] = [:]) {
        self.template = template
        self.regions = regions
    }

    /// The base URL of a region's endpoint.
    public func endpoint(for region: String) -> String {
        regions[region] ?? template.replacingOccurrences(of: "{region}", with: region)
    }
}

/// Reads a provider folder's JSON data tables (copied into its resource bundle from `Data/`).
public enum DataTable {
    /// Decodes `Data/<name>.json` from `bundle`; a missing or broken table throws `internal`.
    public static func load<T: Decodable>(_ name: String, as type: T.Type, from bundle: Bundle) throws -> T {
        guard let url = bundle.url(forResource: name, withExtension: "json", subdirectory: "Data")
            ?? bundle.url(forResource: name, withExtension: "json")
        else { throw Problem(.internalError, detail: "Data table \(name).json is missing.") }
        do {
            return try JSONDecoder().decode(T.self, from: try Data(contentsOf: url))
        } catch {
            throw Problem(.internalError, detail: "Data table \(name).json cannot be read: \(error)")
        }
    }
}
