import DRGWCore
import Foundation

/// Checks an `AWS4-HMAC-SHA256` request the way an AWS endpoint does, for the local simulator that
/// boto3 and the gateway's adapter talk to: it recomputes the signature over exactly the headers the
/// client declared in `SignedHeaders` (botocore signs every header but a few, so the list varies).
public struct AWSSignatureVerifier: Sendable {
    /// Why a request was refused.
    public enum Failure: Sendable, Equatable {
        /// No `Authorization` header.
        case missingAuthorization
        /// An `Authorization` that is not a well-formed SigV4 header, `SignedHeaders` without `host`
        /// or `x-amz-date`, or a missing or unreadable `X-Amz-Date`.
        case malformedAuthorization
        /// The access key is not one of `secrets`.
        case unknownAccessKey
        /// The recomputed signature differs, or a signed header is missing from the request.
        case badSignature
        /// `X-Amz-Date` is more than `maxSkew` away from the server clock.
        case expired
        /// The credential scope names another day than `X-Amz-Date`, or another region or service.
        case wrongScope
    }

    /// The parts of an `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`
    /// header.
    public struct AuthorizationHeader: Sendable, Equatable {
        /// The access key id of the credential.
        public var accessKey: String
        /// The scope's day, `yyyymmdd`.
        public var dateStamp: String
        /// The scope's region.
        public var region: String
        /// The scope's service.
        public var service: String
        /// The signed header names, lowercased, in the client's order.
        public var signedHeaders: [String]
        /// The lowercase hex signature.
        public var signature: String

        /// Parses the header value; nil when it is not a well-formed `AWS4-HMAC-SHA256` authorization.
        /// Parts may be separated by `,` or `, ` (botocore writes `, `).
        public init?(_ value: String) {
            let prefix = AWSSigV4Signer.algorithm + " "
            guard value.hasPrefix(prefix) else { return nil }
            var fields: [String: String] = [:]
            for part in value.dropFirst(prefix.count).split(separator: ",", omittingEmptySubsequences: false) {
                let pieces = ASCIIText.trimmed(part).split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard pieces.count == 2, !pieces[1].isEmpty else { return nil }
                let name = String(pieces[0])
                guard ["Credential", "SignedHeaders", "Signature"].contains(name), fields[name] == nil else { return nil }
                fields[name] = String(pieces[1])
            }
            guard let credential = fields["Credential"], let signed = fields["SignedHeaders"],
                let signature = fields["Signature"]
            else { return nil }

            // `AK/yyyymmdd/region/service/aws4_request`, read from the end.
            let scope = credential.split(separator: "/", omittingEmptySubsequences: false)
            guard scope.count >= 5, scope.last == Substring(AWSSigV4Signer.scopeTerminator) else { return nil }
            let tail = scope.suffix(4)
            let accessKey = scope.dropLast(4).joined(separator: "/")
            let dateStamp = tail[tail.startIndex]
            guard !accessKey.isEmpty, dateStamp.utf8.count == 8, dateStamp.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                !tail[tail.startIndex + 1].isEmpty, !tail[tail.startIndex + 2].isEmpty
            else { return nil }

            let names = signed.split(separator: ";", omittingEmptySubsequences: false)
            guard !names.contains(where: \.isEmpty) else { return nil }
            guard signature.utf8.count == 64,
                signature.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
            else { return nil }

            self.accessKey = accessKey
            self.dateStamp = String(dateStamp)
            self.region = String(tail[tail.startIndex + 1])
            self.service = String(tail[tail.startIndex + 2])
            self.signedHeaders = names.map { AWSSigV4Signer.lowercasedName(String($0)) }
            self.signature = signature
        }
    }

    /// Secret keys by access key.
    private let secrets: [String: String]
    /// The region every credential scope must name.
    public var region: String
    /// The service every credential scope must name.
    public var service: String
    /// Largest accepted distance between `X-Amz-Date` and the server clock, in seconds.
    public var maxSkew: TimeInterval

    /// Creates a verifier for the given access key → secret key pairs and one scope.
    public init(secrets: [String: String], region: String, service: String, maxSkew: TimeInterval = 300) {
        self.secrets = secrets
        self.region = region
        self.service = service
        self.maxSkew = maxSkew
    }

    /// Verifies one request. Returns nil when the signature is good.
    ///
    /// - Parameters:
    ///   - method: HTTP method.
    ///   - path: the path as received on the wire, still percent-encoded.
    ///   - rawQuery: the query string as received (without `?`); it is decoded and re-canonicalised.
    ///   - headers: every header received, `Host` included.
    ///   - body: the exact bytes received.
    ///   - now: the server clock.
    public func verify(
        method: String, path: String, rawQuery: String, headers: [(name: String, value: String)],
        body: [UInt8], now: Date
    ) -> Failure? {
        guard let value = headers.first(where: { HeaderName.equal($0.name, "authorization") })?.value else {
            return .missingAuthorization
        }
        guard let auth = AuthorizationHeader(value), auth.signedHeaders.contains("host"),
            auth.signedHeaders.contains("x-amz-date"),
            let amzDate = headers.first(where: { HeaderName.equal($0.name, AWSSigV4Signer.dateHeader) })?.value,
            let date = Timestamp.parseBasicISO8601(amzDate)
        else { return .malformedAuthorization }
        guard let secret = secrets[auth.accessKey] else { return .unknownAccessKey }
        guard abs(date.timeIntervalSince(now)) <= maxSkew else { return .expired }
        guard auth.dateStamp == amzDate.prefix(8), auth.region == region, auth.service == service else {
            return .wrongScope
        }
        for name in auth.signedHeaders where !headers.contains(where: { HeaderName.equal($0.name, name) }) {
            return .badSignature
        }

        let canonical = AWSSigV4Signer.canonicalRequest(
            method: method, path: path, query: PercentEncoding.parseQuery(rawQuery), headers: headers,
            signedHeaders: auth.signedHeaders, payloadHash: Digest.sha256Hex(body))
        let scope = AWSSigV4Signer.credentialScope(dateStamp: auth.dateStamp, region: region, service: service)
        let toSign = AWSSigV4Signer.stringToSign(canonicalRequest: canonical, amzDate: amzDate, credentialScope: scope)
        let key = AWSSigV4Signer.signingKey(secretKey: secret, dateStamp: auth.dateStamp, region: region, service: service)
        let expected = AWSSigV4Signer.signature(signingKey: key, stringToSign: toSign)
        return Digest.constantTimeEquals(Array(expected.utf8), Array(auth.signature.utf8)) ? nil : .badSignature
    }
}

extension AWSSignatureVerifier: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Names the scope and how many keys are known; never a secret.
    public var description: String {
        "AWSSignatureVerifier(region: \(region), service: \(service), keys: \(secrets.count))"
    }

    public var debugDescription: String { description }

    /// Keeps `dump` and debuggers away from the key material.
    public var customMirror: Mirror {
        Mirror(self, children: ["region": region, "service": service, "maxSkew": maxSkew], displayStyle: .struct)
    }
}
