import DRGWCore
import Foundation

/// The data tables shipped in `providers/aws-drs/Data`.
public struct AWSDRSTables: Sendable {
    /// DRS error types → contract problems.
    public var errors: ErrorCodeTable
    /// Recovery plan and drill statuses → unified statuses; job statuses that end a job.
    public var statuses: StatusTable
    /// Region → endpoint.
    public var endpoints: AWSEndpoints

    /// Reads the three tables from the bundle; a missing or broken file is a build defect.
    public static func load() throws -> AWSDRSTables {
        AWSDRSTables(
            errors: try ErrorCodeTable.load(json: try resource("errors")),
            statuses: try StatusTable.load(json: try resource("statuses")),
            endpoints: try JSONDecoder().decode(AWSEndpoints.self, from: try resource("endpoints")))
    }

    /// The tables, loaded once.
    public static let shared: AWSDRSTables = {
        do { return try load() } catch { fatalError("aws-drs data tables are unreadable: \(error)") }
    }()

    private static func resource(_ name: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Data")
            ?? Bundle.module.url(forResource: name, withExtension: "json")
        else { throw Problem(.internalError, detail: "Data table \(name).json is missing.") }
        return try Data(contentsOf: url)
    }
}
