import DRGWCore
import Hummingbird

/// A list route's enumerated filter (`?status=ready`), refused with the values it takes.
enum ListFilter {
    static func value<T: RawRepresentable & CaseIterable>(_ request: Request, _ name: String, as: T.Type) throws -> T?
    where T.RawValue == String {
        guard let text = request.uri.queryParameters[Substring(name)].map(String.init) else { return nil }
        guard let value = T(rawValue: text) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw Problem.invalid([FieldError(field: name, message: "must be one of \(allowed)")])
        }
        return value
    }
}
