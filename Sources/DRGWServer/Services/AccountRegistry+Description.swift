/// The registry holds every account's adapter, and adapters hold signers with secret keys and
/// tokens. ServiceLifecycle logs each service with `String(describing:)` at debug level, and the
/// default reflection would print the poller's registry field by field, secrets included; this
/// description names the accounts only.
extension AccountRegistry: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String { "AccountRegistry(accounts: \(order))" }
    public var debugDescription: String { description }
}

extension AccountRegistry.Entry: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String { "AccountRegistry.Entry(account: \(settings.id), provider: \(settings.provider))" }
    public var debugDescription: String { description }
}
