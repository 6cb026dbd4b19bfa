import DRGWCore
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

/// The data tables shipped in `providers/huawei-sdrs/Data`.
public struct HuaweiTables: Sendable {
    /// SDRS.xxxx and APIGW.xxxx codes → contract problems.
    public var errors: ErrorCodeTable
    /// Upstream statuses → unified statuses.
    public var statuses: StatusTable
    /// Region → endpoint.
    public var endpoints: HuaweiEndpoints

    /// Reads the three tables from the bundle; a missing or broken file is a build defect.
    public static func load() throws -> HuaweiTables {
        HuaweiTables(
            errors: try ErrorCodeTable.load(json: try resource("errors")),
            statuses: try StatusTable.load(json: try resource("statuses")),
            endpoints: try JSONDecoder().decode(HuaweiEndpoints.self, from: try resource("endpoints")))
    }

    /// The tables, loaded once.
    public static let shared: HuaweiTables = {
        do { return try load() } catch { fatalError("huawei-sdrs data tables are unreadable: \(error)") }
    }()

    private static func resource(_ name: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Data")
            ?? Bundle.module.url(forResource: name, withExtension: "json")
        else { throw Problem(.internalError, detail: "Data table \(name).json is missing.") }
        return try Data(contentsOf: url)
    }
}
