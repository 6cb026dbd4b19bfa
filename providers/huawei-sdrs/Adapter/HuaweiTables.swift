import DRGWCore
import Foundation

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
