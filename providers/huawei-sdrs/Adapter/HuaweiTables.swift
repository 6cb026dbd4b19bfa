import DRGWCore
import Foundation

/// The data tables shipped in `providers/huawei-sdrs/Data`.
public struct HuaweiTables: Sendable {
    /// SDRS.xxxx and APIGW.xxxx codes → contract problems.
    public var errors: ErrorCodeTable
    /// Upstream statuses → unified statuses.
    public var statuses: StatusTable
    /// Region → endpoint.
    public var endpoints: RegionEndpoints

    /// Reads the three tables from the bundle; a missing or broken file is a build defect.
    public static func load() throws -> HuaweiTables {
        HuaweiTables(
            errors: try DataTable.load("errors", as: ErrorCodeTable.self, from: .module),
            statuses: try DataTable.load("statuses", as: StatusTable.self, from: .module),
            endpoints: try DataTable.load("endpoints", as: RegionEndpoints.self, from: .module))
    }

    /// The tables, loaded once.
    public static let shared: HuaweiTables = {
        do { return try load() } catch { fatalError("huawei-sdrs data tables are unreadable: \(error)") }
    }()
}
