import Crypto
import DRGWCore
import Foundation

/// Alibaba Cloud V3 request signing (`ACS3-HMAC-SHA256`), the default of the official SDK.
///
/// A pure value: the date and the nonce are parameters, so every step can be checked against
/// the vectors computed with the official SDK. Each retry must call `sign` again with a new
/// date and nonce.
public struct AlibabaV3Signer: Sendable {
    /// The algorithm name that starts the string to sign and the `Authorization` header.
    public static let algorithm = "ACS3-HMAC-SHA256"
    /// The header carrying the signing time.
    public static let dateHeader = "x-acs-date"
    /// SHA-256 of an empty body, the payload hash of every SDK call to EBS.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The AccessKey id that goes into `Credential=`.
    public var accessKeyId: String
    private var accessKeySecret: String
    /// The STS token, sent as `x-acs-security-token` and signed.
    public var securityToken: String?

    /// Creates a signer for one set of credentials.
    public init(accessKeyId: String, accessKeySecret: String, securityToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.accessKeySecret = accessKeySecret
        self.securityToken = securityToken
    }

    /// The canonical query string: parameters sorted by name, `name=value` percent-encoded, joined by `&`.
    public static func canonicalQueryString(_ query: [(name: String, value: String)]) -> String {
        AlibabaQueryCanonicalizer.canonicalize(query)
    }

    /// Canonical headers (`name:value\n` each, sorted, lowercase names, trimmed values,
    /// duplicates joined by `,`) and the `;`-joined signed header names.
    public static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (canonical: String, signed: String) {
        var merged: [String: [String]] = [:]
        for header in headers {
            let name = header.name.lowercased()
            merged[name, default: []].append(ASCIIText.trimmed(header.value))
        }
        let names = merged.keys.sorted()
        let canonical = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        return (canonical, names.joined(separator: ";"))
    }

    /// The canonical request: method, URI, query, headers, signed headers and payload hash on their own lines.
    public static func canonicalRequest(
        method: String, path: String = "/", query: [(name: String, value: String)],
        headers: [(name: String, value: String)], payloadHash: String
    ) -> String {
        let (canonical, signed) = canonicalHeaders(headers)
        return [method.uppercased(), path, canonicalQueryString(query), canonical, signed, payloadHash]
            .joined(separator: "\n")
    }

    /// `ACS3-HMAC-SHA256\n` + hex SHA-256 of the canonical request.
    public static func stringToSign(canonicalRequest: String) -> String {
        "\(algorithm)\n\(Digest.sha256Hex(canonicalRequest))"
    }

    /// Lowercase hex HMAC-SHA256 of the string to sign, keyed with the secret itself.
    public static func signature(stringToSign: String, secret: String) -> String {
        Digest.hmacSHA256Hex(key: Array(secret.utf8), message: stringToSign)
    }

    /// The `Authorization` header value.
    public static func authorization(accessKeyId: String, signedHeaders: String, signature: String) -> String {
        "\(algorithm) Credential=\(accessKeyId),SignedHeaders=\(signedHeaders),Signature=\(signature)"
    }

    /// Builds every header of a call, the `Authorization` header last.
    ///
    /// - Parameters:
    ///   - extraHeaders: further headers to send and sign (e.g. `accept`), in addition to
    ///     `host`, the `x-acs-*` headers and `content-type` when there is a body.
    public func sign(
        method: String, host: String, action: String, version: String,
        query: [(name: String, value: String)], body: [UInt8] = [], contentType: String? = nil,
        extraHeaders: [(name: String, value: String)] = [], date: Date, nonce: String
    ) -> [(name: String, value: String)] {
        let payloadHash = body.isEmpty ? Self.emptyPayloadHash : Digest.sha256Hex(body)
        var headers: [(name: String, value: String)] = [("host", host)]
        headers += extraHeaders
        if let contentType, !body.isEmpty { headers.append(("content-type", contentType)) }
        headers += [
            ("x-acs-action", action),
            ("x-acs-content-sha256", payloadHash),
            (Self.dateHeader, Timestamp.iso8601Seconds(date)),
            ("x-acs-signature-nonce", nonce),
            ("x-acs-version", version),
        ]
        if let securityToken { headers.append(("x-acs-security-token", securityToken)) }
        let canonical = Self.canonicalRequest(method: method, query: query, headers: headers, payloadHash: payloadHash)
        let signed = Self.canonicalHeaders(headers).signed
        let signature = Self.signature(stringToSign: Self.stringToSign(canonicalRequest: canonical), secret: accessKeySecret)
        headers.append(("Authorization", Self.authorization(accessKeyId: accessKeyId, signedHeaders: signed, signature: signature)))
        return headers
    }
}

extension AlibabaV3Signer: CustomStringConvertible, CustomDebugStringConvertible {
    /// Never prints the key material.
    public var description: String { "AlibabaV3Signer(redacted)" }
    public var debugDescription: String { description }
}
