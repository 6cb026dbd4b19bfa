import DRGWCore
import Foundation

/// Checks an `SDK-HMAC-SHA256` request the way APIG does: it recomputes the signature over the
/// headers the client declared in `SignedHeaders` (the official SDKs differ in which they sign).
public struct HuaweiSignatureVerifier: Sendable {
    /// Why a request was refused.
    public enum Failure: String, Sendable, Equatable {
        case missingAuthorization = "missing_authorization"
        case malformedAuthorization = "malformed_authorization"
        case unknownAccessKey = "unknown_access_key"
        case missingDate = "missing_date"
        case clockSkew = "clock_skew"
        case signatureMismatch = "signature_mismatch"
    }

    /// The parts of an `Authorization: SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…` header.
    public struct AuthorizationHeader: Sendable, Equatable {
        public var accessKey: String
        public var signedHeaders: [String]
        public var signature: String

        /// Parses the header value; nil when it is not an `SDK-HMAC-SHA256` authorization.
        public init?(_ value: String) {
            let prefix = HuaweiSigner.algorithm + " "
            guard value.hasPrefix(prefix) else { return nil }
            var fields: [String: String] = [:]
            for part in value.dropFirst(prefix.count).split(separator: ",") {
                let pieces = ASCIIText.trimmed(part).split(separator: "=", maxSplits: 1)
                guard pieces.count == 2 else { return nil }
                fields[String(pieces[0])] = String(pieces[1])
            }
            guard let access = fields["Access"], let signed = fields["SignedHeaders"], let signature = fields["Signature"],
                !access.isEmpty, !signed.isEmpty
            else { return nil }
            self.accessKey = access
            self.signedHeaders = signed.split(separator: ";").map(String.init)
            self.signature = signature
        }
    }

    /// Secret keys by access key.
    public var secrets: [String: String]
    /// Largest accepted distance between `X-Sdk-Date` and the server clock, in seconds.
    public var maxSkew: TimeInterval

    public init(secrets: [String: String], maxSkew: TimeInterval = 15 * 60) {
        self.secrets = secrets
        self.maxSkew = maxSkew
    }

    /// Verifies one request; `headers` must include `Host`. Returns nil when the signature is good.
    public func verify(
        method: String, path: String, rawQuery: String, headers: [(name: String, value: String)],
        body: [UInt8], now: Date
    ) -> Failure? {
        guard let value = headers.first(where: { HeaderName.equal($0.name, "authorization") })?.value else {
            return .missingAuthorization
        }
        guard let auth = AuthorizationHeader(value) else { return .malformedAuthorization }
        guard let secret = secrets[auth.accessKey] else { return .unknownAccessKey }
        guard let sdkDate = headers.first(where: { HeaderName.equal($0.name, "x-sdk-date") })?.value,
            let date = Timestamp.parseBasicISO8601(sdkDate)
        else { return .missingDate }
        if abs(date.timeIntervalSince(now)) > maxSkew { return .clockSkew }
        let payloadHash =
            headers.first { HeaderName.equal($0.name, "x-sdk-content-sha256") }?.value ?? Digest.sha256Hex(body)
        let canonical = HuaweiSigner.canonicalRequest(
            method: method, path: path, query: PercentEncoding.parseQuery(rawQuery), headers: headers,
            signedHeaders: auth.signedHeaders.map { $0.lowercased() }, payloadHash: payloadHash)
        let signer = HuaweiSigner(accessKey: auth.accessKey, secretKey: secret)
        let expected = signer.signature(
            stringToSign: HuaweiSigner.stringToSign(canonicalRequest: canonical, sdkDate: sdkDate))
        return Digest.constantTimeEquals(Array(expected.utf8), Array(auth.signature.utf8)) ? nil : .signatureMismatch
    }
}

extension HuaweiSignatureVerifier: CustomStringConvertible, CustomDebugStringConvertible {
    /// Never prints the key material.
    public var description: String { "HuaweiSignatureVerifier(redacted)" }
    public var debugDescription: String { description }
}
