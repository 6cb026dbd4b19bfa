import DRGWCore
import Foundation

/// The data tables of the Alibaba EBS provider, read once from `Data/` in the bundle.
public enum AlibabaEBSData {
    /// Alibaba error `Code` → contract problem (`Data/errors.json`).
    public static let errors: ErrorCodeTable = load("errors", ErrorCodeTable.self)
    /// Pair, group and drill `Status` → unified status (`Data/statuses.json`).
    public static let statuses: StatusTable = load("statuses", StatusTable.self)
    /// For each operation kind, which upstream statuses mean running, succeeded or failed (`Data/operations.json`).
    public static let operations: [String: AlibabaOperationRule] = load("operations", [String: AlibabaOperationRule].self)

    private static func load<T: Decodable>(_ name: String, _ type: T.Type) -> T {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Data"),
            let data = try? Data(contentsOf: url)
        else { fatalError("AlibabaEBS resource Data/\(name).json is missing from the bundle") }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            fatalError("AlibabaEBS resource Data/\(name).json is malformed: \(error)")
        }
    }
}
