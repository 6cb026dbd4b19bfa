import Crypto
import DRGWCore
import Foundation

/// Alibaba Cloud RPC signature version 1.0 (`HMAC-SHA1`), what the official SDK uses when
/// `signature_algorithm='v2'` and what the legacy core SDK always uses.
///
/// A pure value: date and nonce are parameters. Each retry must sign again with new ones.
public struct AlibabaV1Signer: Sendable {
    /// The AccessKey id sent as `AccessKeyId`.
    public var accessKeyId: String
    private var accessKeySecret: String
    /// The STS token, sent as `SecurityToken` and signed like every parameter.
    public var securityToken: String?

    /// Creates a signer for one set of credentials.
    public init(accessKeyId: String, accessKeySecret: String, securityToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.accessKeySecret = accessKeySecret
        self.securityToken = securityToken
    }

    /// Parameters percent-encoded (names and values), sorted by encoded name, joined as `n=v&…`.
    public static func canonicalizedQuery(_ parameters: [(name: String, value: String)]) -> String {
        AlibabaQueryCanonicalizer.canonicalize(parameters)
    }

    /// `METHOD&%2F&` + the percent-encoded canonicalized query.
    public static func stringToSign(method: String, canonicalizedQuery: String) -> String {
        "\(method.uppercased())&\(PercentEncoding.encode("/"))&\(PercentEncoding.encode(canonicalizedQuery))"
    }

    /// Base64 HMAC-SHA1 of the string to sign, keyed with `secret&`.
    public static func signature(stringToSign: String, secret: String) -> String {
        let key = SymmetricKey(data: Array((secret + "&").utf8))
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(stringToSign.utf8), using: key)
        return Data(mac).base64EncodedString()
    }

    /// The common parameters of a call (without `Signature`), in a stable order.
    public func commonParameters(action: String, version: String, date: Date, nonce: String, format: String = "JSON")
        -> [(name: String, value: String)]
    {
        var common: [(name: String, value: String)] = [
            ("Action", action), ("Version", version), ("Format", format), ("AccessKeyId", accessKeyId),
            ("SignatureMethod", "HMAC-SHA1"), ("SignatureVersion", "1.0"), ("SignatureNonce", nonce),
            ("Timestamp", Timestamp.iso8601Seconds(date)),
        ]
        if let securityToken { common.append(("SecurityToken", securityToken)) }
        return common
    }

    /// All parameters of a call: the business parameters, the common ones and `Signature` last.
    public func sign(
        method: String, action: String, version: String, parameters: [(name: String, value: String)],
        date: Date, nonce: String, format: String = "JSON"
    ) -> [(name: String, value: String)] {
        let all = parameters + commonParameters(action: action, version: version, date: date, nonce: nonce, format: format)
        let toSign = Self.stringToSign(method: method, canonicalizedQuery: Self.canonicalizedQuery(all))
        return all + [("Signature", Self.signature(stringToSign: toSign, secret: accessKeySecret))]
    }
}

extension AlibabaV1Signer: CustomStringConvertible, CustomDebugStringConvertible {
    /// Never prints the key material.
    public var description: String { "AlibabaV1Signer(redacted)" }
    public var debugDescription: String { description }
}
