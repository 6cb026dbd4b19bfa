import DRGWCore
import Foundation

/// The data tables shipped in `providers/aws-drs/Data`.
public struct AWSDRSTables: Sendable {
    /// DRS error types → contract problems.
    public var errors: ErrorCodeTable
    /// Recovery plan and drill statuses → unified statuses; job statuses that end a job.
    public var statuses: StatusTable
    /// Region → endpoint.
    public var endpoints: RegionEndpoints

    /// Reads the three tables from the bundle; a missing or broken file is a build defect.
    public static func load() throws -> AWSDRSTables {
        AWSDRSTables(
            errors: try DataTable.load("errors", as: ErrorCodeTable.self, from: .module),
            statuses: try DataTable.load("statuses", as: StatusTable.self, from: .module),
            endpoints: try DataTable.load("endpoints", as: RegionEndpoints.self, from: .module))
    }

    /// The tables, loaded once.
    public static let shared: AWSDRSTables = {
        do { return try load() } catch { fatalError("aws-drs data tables are unreadable: \(error)") }
    }()
}
