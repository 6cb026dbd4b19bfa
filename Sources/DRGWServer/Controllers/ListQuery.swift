import DRGWCore
import Hummingbird

/// `limit` and `cursor` of a list route, validated; any other query parameter must be one of the
/// route's `filters`, so that a misspelt filter is a 400 naming it instead of an unfiltered list.
struct ListQuery {
    var limit: Int
    var cursor: String?

    init(_ request: Request, filters: Set<String> = []) throws {
        let query = request.uri.queryParameters
        var errors: [FieldError] = []
        let known = filters.union(["limit", "cursor"])
        var unknown = Set<String>()
        for (name, _) in query where !known.contains(String(name)) { unknown.insert(String(name)) }
        for name in unknown.sorted() {
            let hint = known.first { $0.lowercased() == name.lowercased() }.map { " (did you mean \($0)?)" } ?? ""
            errors.append(FieldError(field: name, message: "is not a query parameter of this list\(hint); it takes \(known.sorted().joined(separator: ", "))"))
        }
        limit = 50
        if let text = query["limit"].map(String.init) {
            if let value = Int(text), (1...200).contains(value) { limit = value } else {
                errors.append(FieldError(field: "limit", message: "must be an integer in 1...200"))
            }
        }
        if let text = query["cursor"].map(String.init) {
            cursor = text.utf8.count <= 1024 ? ListCursor.decode(text) : nil
            if cursor == nil { errors.append(FieldError(field: "cursor", message: "is not a cursor this gateway issued")) }
        }
        if !errors.isEmpty { throw Problem.invalid(errors) }
    }
}

extension Parameters {
    /// A path id, percent-decoded (`%3A` is `:`) and then validated before it can reach an
    /// upstream URL, so that an encoded `..%2F` or control character is refused like a literal one.
    func id(_ name: String) throws -> String {
        let raw = self.get(name) ?? ""
        guard let value = PercentEncoding.decode(raw) else {
            throw Problem.invalid([FieldError(field: name, message: "is not valid percent-encoding")])
        }
        let errors = Validation.idErrors(value, field: name)
        if !errors.isEmpty { throw Problem.invalid(errors) }
        return value
    }
}
