import DRGWCore
import Foundation

/// The data tables of the Alibaba EBS provider, read once from `Data/` in the bundle.
///
/// Decisions taken in the tables:
/// - `Throttling*` / `TooManyRequests` → `rate_limited` (retryable) whatever the HTTP status.
/// - `IdempotentParameterMismatch` → `idempotency_key_reused` (422); `LastTokenProcessing` →
///   `idempotency_key_in_use` (409, retryable): both are the upstream face of the contract's idempotency.
/// - `Forbidden*`, `NoPermission*` → `upstream_auth_failed`: the RAM policy of the configured
///   account refuses, an operator problem (the contract's `forbidden` is about the gateway's own tenants).
/// - Signature, AccessKey, timestamp and STS codes → `upstream_auth_failed`; `SignatureNonceUsed`
///   is retryable, because a re-sent request gets a new nonce (libcurl may itself resend a
///   request on a dead reused connection with the old one).
/// - `InvalidAccountStatus.*` (no balance) → `upstream_error`, not retryable;
///   `InvalidApi.NotFound` / `InvalidAction.NotFound` → `not_supported`; `InvalidVersion` → `upstream_error`.
/// - `OperationDenied*` → `conflict` (the pair's or group's state forbids it); `NoSuchResource` → `not_found`.
/// - `InternalError` → `upstream_error`, `ServiceUnavailable` → `upstream_unavailable`,
///   `RequestTimeout` → `upstream_timeout`, all retryable.
/// - Statuses: `reprotecting` → `reversing`; `initial_syncing`/`manual_syncing`/`syncing`/`normal`
///   → `protected`; `created`/`stopped` → `available`; `invalid` and every `*_failed` → `error`.
public enum AlibabaTables {
    /// Alibaba error `Code` → contract problem (`Data/errors.json`).
    public static let errors: ErrorCodeTable = load("errors", ErrorCodeTable.self)
    /// Pair, group and drill `Status` → unified status (`Data/statuses.json`).
    public static let statuses: StatusTable = load("statuses", StatusTable.self)
    /// For each operation kind, which upstream statuses mean running, succeeded or failed (`Data/operations.json`).
    public static let operations: [String: AlibabaOperationRule] = load("operations", [String: AlibabaOperationRule].self)

    private static func load<T: Decodable>(_ name: String, _ type: T.Type) -> T {
        do { return try DataTable.load(name, as: T.self, from: .module) } catch {
            fatalError("AlibabaEBS resource Data/\(name).json: \(error)")
        }
    }
}
