/// A configuration problem; `key` names the bad setting (never a secret value). Exit code 78.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public var key: String
    public var message: String

    public init(key: String, _ message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { "configuration error at \(key): \(message)" }
}
