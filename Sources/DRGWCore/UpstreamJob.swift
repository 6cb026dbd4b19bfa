import Foundation

/// What a write started upstream, in a form that can be stored and polled later, even by
/// another process: the adapter puts whatever it needs to follow the job in `token`.
public struct UpstreamJob: Codable, Sendable, Equatable {
    /// Operation kind, e.g. `drill.create`.
    public var kind: String
    /// The resource the operation acts on (its id may be unknown until the job ends).
    public var resource: ResourceReference
    /// Adapter-private facts to follow the job (job id, pair id, awaited status, …).
    public var token: [String: String]

    public init(kind: String, resource: ResourceReference, token: [String: String]) {
        self.kind = kind
        self.resource = resource
        self.token = token
    }
}

/// Where an upstream job stands.
public enum JobProgress: Sendable, Equatable {
    case running
    /// Still running, and the job already names the resource it makes: the operation shows the
    /// id before the job ends.
    case creating(resourceId: String)
    /// Done; carries the resource id when the job created something.
    case succeeded(resourceId: String?)
    case failed(Problem)
}

extension UpstreamJob: JSONWritable {
    /// The stored form of a job (read back with `JSONDecoder`), written directly on every write.
    public func write(to writer: inout JSONWriter) {
        writer.object { w in
            w.member("kind", kind)
            w.member("resource") { resource.write(to: &$0) }
            w.member("token", strings: token)
        }
    }
}
