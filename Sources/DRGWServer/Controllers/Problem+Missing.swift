import DRGWCore

extension Problem {
    /// A `not_found` from any provider, said the gateway's one way ("Drill 'x' was not found.");
    /// the provider's own code and message stay in `providerCode` and `providerMessage`.
    func namingMissing(_ what: String) -> Problem {
        guard hasCode(.notFound) else { return self }
        var problem = self
        problem.detail = "\(what) was not found."
        return problem
    }

    /// The same, for the resource a write acts on.
    func namingMissing(_ resource: ResourceReference) -> Problem {
        guard let id = resource.id else { return self }
        switch resource.type {
        case "drill": return namingMissing("Drill '\(id)'")
        case "protectionGroup": return namingMissing("Protection group '\(id)'")
        default: return self
        }
    }
}
