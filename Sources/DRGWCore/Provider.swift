import Foundation

/// One cloud account seen through the unified API. Adapters translate each call to the
/// provider's real API, sign it and send it through an `HTTPTransport`.
///
/// Writes return an `UpstreamJob` that `progress(of:context:)` follows until it ends.
/// Every method throws `Problem` for anything a caller should see.
public protocol Provider: Sendable {
    /// The provider name of the contract, e.g. `huawei-sdrs`.
    var name: String { get }
    /// Whether drill and group names may hold CJK ideographs (U+4E00–U+9FA5) besides ASCII
    /// letters, digits, `.`, `_` and `-`. Default: no.
    var namesAllowCJK: Bool { get }

    func listProtectionGroups(cursor: String?, limit: Int, context: CallContext) async throws -> Page<ProtectionGroup>
    func protectionGroup(id: String, context: CallContext) async throws -> ProtectionGroup
    func createProtectionGroup(_ input: CreateProtectionGroupInput, context: CallContext) async throws -> UpstreamJob
    /// Every field of `input` this provider refuses (missing, malformed, or another cloud's),
    /// without a call: the gateway lists them with the body's own errors in one 400.
    func createProtectionGroupErrors(_ input: CreateProtectionGroupInput) -> [FieldError]
    func deleteProtectionGroup(id: String, context: CallContext) async throws -> UpstreamJob
    func perform(_ action: ProtectionGroupAction, onProtectionGroup id: String, input: ActionInput, context: CallContext) async throws -> UpstreamJob

    func listDrills(protectionGroupId: String?, cursor: String?, limit: Int, context: CallContext) async throws -> Page<Drill>
    func drill(id: String, context: CallContext) async throws -> Drill
    func createDrill(_ input: CreateDrillInput, context: CallContext) async throws -> UpstreamJob
    func deleteDrill(id: String, context: CallContext) async throws -> UpstreamJob

    /// Reads the upstream state of a job started by one of the writes above.
    func progress(of job: UpstreamJob, context: CallContext) async throws -> JobProgress

    /// The provider's own figure for the data a drill would have lost (its recovery point against
    /// the drill's start). The default says the provider exposes none.
    func recoveryPoint(ofDrill drillId: String, protectionGroupId: String, drillStartedAt: Date, context: CallContext)
        async throws -> RecoveryPointEstimate
}

extension Provider {
    public var namesAllowCJK: Bool { false }
    public func createProtectionGroupErrors(_ input: CreateProtectionGroupInput) -> [FieldError] { [] }
}

extension CreateProtectionGroupInput {
    /// `field is not a field of <provider>` for each of `fields` that is set.
    public func foreignFieldErrors(_ fields: [(String, Any?)], provider: String) -> [FieldError] {
        fields.compactMap { name, value in
            value == nil ? nil : FieldError(field: name, message: "is not a field of \(provider) protection groups")
        }
    }
}
