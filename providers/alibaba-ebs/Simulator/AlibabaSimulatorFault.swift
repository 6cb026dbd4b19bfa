/// A fault the simulator can inject before a request takes effect.
public enum AlibabaSimulatorFault: String, Sendable, CaseIterable {
    /// 500 `InternalError` or 503 `ServiceUnavailable`.
    case serverError
    /// 400 `Throttling.User` with `x-acs-retry-after` (milliseconds).
    case throttle
    /// The answer comes 1–3 seconds late (the request still takes effect once).
    case slow
    /// The connection is closed without an answer.
    case drop
}
