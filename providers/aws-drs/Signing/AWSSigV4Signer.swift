import Crypto
import DRGWCore
import Foundation

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`) in header form, byte-compatible with botocore's
/// `SigV4Auth` for non-S3 services such as Elastic Disaster Recovery.
///
/// A pure value: the date and the credentials are parameters and nothing is read from the
/// environment. Each step (canonical URI, query, headers, request, string to sign, signing key,
/// signature) is exposed on its own so that tests can compare every intermediate against the SDK.
public struct AWSSigV4Signer: Sendable {
    /// The algorithm name that starts the `Authorization` header and the string to sign.
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// The header carrying the signing time, `yyyyMMdd'T'HHmmss'Z'`.
    public static let dateHeader = "X-Amz-Date"
    /// The header carrying a temporary credential's session token (signed like any other header).
    public static let securityTokenHeader = "X-Amz-Security-Token"
    /// The last element of every credential scope.
    public static let scopeTerminator = "aws4_request"

    /// Lowercase names never signed: botocore's list (hop-by-hop headers a proxy may drop or rewrite,
    /// `user-agent`, `x-amzn-trace-id`), `authorization` itself and the W3C trace-context headers,
    /// which tracing middleware may add or change after signing.
    public static let unsignedHeaders: Set<String> = [
        "authorization", "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id", "traceparent",
        "tracestate",
    ]

    /// The access key id (public part).
    public var accessKey: String
    /// The region of the credential scope, e.g. `us-east-1`.
    public var region: String
    /// The signing name of the service in the credential scope, e.g. `drs`.
    public var service: String
    /// `kSecret`: the UTF-8 bytes of `"AWS4" + secret key`.
    private let secretKey: [UInt8]
    /// The session token of temporary credentials, sent as `X-Amz-Security-Token`.
    private let sessionToken: String?

    /// Creates a signer for one set of credentials and one credential scope.
    public init(accessKey: String, secretKey: String, sessionToken: String? = nil, region: String, service: String) {
        self.accessKey = accessKey
        self.secretKey = Self.secretKeyBytes(secretKey)
        self.sessionToken = sessionToken
        self.region = region
        self.service = service
    }

    /// True when requests carry `X-Amz-Security-Token`.
    public var usesSessionToken: Bool { sessionToken != nil }

    // MARK: Canonical parts

    /// The canonical URI of a non-S3 request: the wire path (already percent-encoded) with dot
    /// segments and empty segments removed, then percent-encoded *again*, `/` kept.
    ///
    /// This matches botocore (`quote(remove_dot_segments(path), safe='/~')`) and the service side:
    /// `/tags/arn%3Aaws` is signed as `/tags/arn%253Aaws`. A trailing `/` stays unless nothing else
    /// does; an empty path is `/`.
    public static func canonicalURI(_ path: String) -> String {
        if path.isEmpty { return "/" }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(segment)
            }
        }
        var uri = path.utf8.first == UInt8(ascii: "/") ? "/" : ""
        uri.reserveCapacity(path.utf8.count + 16)
        for (index, segment) in segments.enumerated() {
            if index > 0 { uri += "/" }
            uri += PercentEncoding.encode(String(segment))
        }
        if path.utf8.last == UInt8(ascii: "/"), !segments.isEmpty { uri += "/" }
        return uri
    }

    /// The canonical query: names and values RFC 3986-encoded, sorted by encoded name then encoded
    /// value (byte order, so `B` sorts before `a`), joined as `name=value` with `&`; a name without
    /// a value still gets its `=`.
    public static func canonicalQuery(_ pairs: [(name: String, value: String)]) -> String {
        pairs.map { (name: PercentEncoding.encode($0.name), value: PercentEncoding.encode($0.value)) }
            .sorted {
                $0.name == $1.name
                    ? $0.value.utf8.lexicographicallyPrecedes($1.value.utf8)
                    : $0.name.utf8.lexicographicallyPrecedes($1.name.utf8)
            }
            .map { $0.name + "=" + $0.value }
            .joined(separator: "&")
    }

    /// The names to sign from a request's headers: lowercase, without `unsignedHeaders`, once each,
    /// sorted. `X-Amz-Date` and (with temporary credentials) `X-Amz-Security-Token` belong in
    /// `headers` already.
    public static func signedHeaderNames(_ headers: [(name: String, value: String)]) -> [String] {
        var names: [String] = []
        for header in headers {
            let name = lowercasedName(header.name)
            if !unsignedHeaders.contains(name), !names.contains(name) { names.append(name) }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// A header value as signed: trimmed, each inner run of whitespace collapsed to one space.
    public static func canonicalHeaderValue(_ value: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count)
        var pendingSpace = false
        for byte in value.utf8 {
            if isSpace(byte) {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(UInt8(ascii: " ")) }
                pendingSpace = false
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The canonical headers: one `name:value\n` line per name of `signedHeaders` (lowercase, in that
    /// order). Values of a repeated header are joined with `,` in the order they appear; names are
    /// matched case-insensitively, and a name missing from `headers` gets an empty value.
    public static func canonicalHeaders(_ headers: [(name: String, value: String)], signedHeaders: [String]) -> String {
        var out = ""
        out.reserveCapacity(signedHeaders.count * 48)
        for name in signedHeaders {
            out += name
            out += ":"
            var first = true
            for header in headers where HeaderName.equal(header.name, name) {
                if !first { out += "," }
                out += canonicalHeaderValue(header.value)
                first = false
            }
            out += "\n"
        }
        return out
    }

    /// The canonical request:
    /// `METHOD \n URI \n QUERY \n name:value lines \n (blank) \n signed;names \n payload hash`.
    ///
    /// - Parameters:
    ///   - path: the path as sent on the wire (see `canonicalURI`).
    ///   - query: the decoded query pairs.
    ///   - signedHeaders: lowercase names, sorted (see `signedHeaderNames`).
    ///   - payloadHash: lowercase hex SHA-256 of the body.
    public static func canonicalRequest(
        method: String, path: String, query: [(name: String, value: String)],
        headers: [(name: String, value: String)], signedHeaders: [String], payloadHash: String
    ) -> String {
        var out = method.uppercased()
        out.reserveCapacity(512)
        out += "\n"
        out += canonicalURI(path)
        out += "\n"
        out += canonicalQuery(query)
        out += "\n"
        out += canonicalHeaders(headers, signedHeaders: signedHeaders)
        out += "\n"
        out += signedHeaders.joined(separator: ";")
        out += "\n"
        out += payloadHash
        return out
    }

    /// `yyyymmdd/region/service/aws4_request`.
    public static func credentialScope(dateStamp: String, region: String, service: String) -> String {
        "\(dateStamp)/\(region)/\(service)/\(scopeTerminator)"
    }

    /// `AWS4-HMAC-SHA256 \n X-Amz-Date \n credential scope \n hex(SHA-256(canonical request))`.
    public static func stringToSign(canonicalRequest: String, amzDate: String, credentialScope: String) -> String {
        "\(algorithm)\n\(amzDate)\n\(credentialScope)\n\(Digest.sha256Hex(canonicalRequest))"
    }

    /// `kSigning`, derived from the secret key by the chain
    /// `kDate = HMAC("AWS4" + secret, yyyymmdd)`, `kRegion = HMAC(kDate, region)`,
    /// `kService = HMAC(kRegion, service)`, `kSigning = HMAC(kService, "aws4_request")`.
    public static func signingKey(secretKey: String, dateStamp: String, region: String, service: String) -> [UInt8] {
        deriveSigningKey(kSecret: secretKeyBytes(secretKey), dateStamp: dateStamp, region: region, service: service)
    }

    /// Lowercase hex HMAC-SHA256 of the string to sign, keyed with `kSigning`.
    public static func signature(signingKey: [UInt8], stringToSign: String) -> String {
        Digest.hex(hmac(signingKey, stringToSign))
    }

    /// This signer's `kSigning` for one day (`yyyymmdd`) of its region and service.
    public func signingKey(dateStamp: String) -> [UInt8] {
        Self.deriveSigningKey(kSecret: secretKey, dateStamp: dateStamp, region: region, service: service)
    }

    /// The `Authorization` header value, with `, ` between its parts as botocore writes it.
    public func authorization(credentialScope: String, signedHeaders: [String], signature: String) -> String {
        "\(Self.algorithm) Credential=\(accessKey)/\(credentialScope), SignedHeaders=\(signedHeaders.joined(separator: ";")), Signature=\(signature)"
    }

    // MARK: Whole requests

    /// Signs a request: returns `headers` plus `X-Amz-Date`, `X-Amz-Security-Token` (when a session
    /// token is set; it is a signed header) and `Authorization`.
    ///
    /// Every given header is signed except `unsignedHeaders`; earlier `Authorization` and
    /// `X-Amz-Date` headers (and `X-Amz-Security-Token` when this signer sets one) are replaced, so
    /// a retry can be signed again from the headers of the previous attempt.
    ///
    /// - Parameters:
    ///   - method: HTTP method.
    ///   - path: the path as sent on the wire (already percent-encoded).
    ///   - query: the decoded query pairs; send `canonicalQuery(query)` on the wire.
    ///   - headers: every header to send, `Host` included.
    ///   - body: the exact bytes sent.
    ///   - date: the signing time.
    public func sign(
        method: String, path: String, query: [(name: String, value: String)],
        headers: [(name: String, value: String)], body: [UInt8], date: Date
    ) -> [(name: String, value: String)] {
        var headers = headers.filter { header in
            !HeaderName.equal(header.name, "authorization") && !HeaderName.equal(header.name, Self.dateHeader)
                && !(sessionToken != nil && HeaderName.equal(header.name, Self.securityTokenHeader))
        }
        let amzDate = Timestamp.basicISO8601(date)
        let dateStamp = String(amzDate.prefix(8))
        headers.append((Self.dateHeader, amzDate))
        if let sessionToken { headers.append((Self.securityTokenHeader, sessionToken)) }
        let signedHeaders = Self.signedHeaderNames(headers)
        let canonical = Self.canonicalRequest(
            method: method, path: path, query: query, headers: headers, signedHeaders: signedHeaders,
            payloadHash: Digest.sha256Hex(body))
        let scope = Self.credentialScope(dateStamp: dateStamp, region: region, service: service)
        let toSign = Self.stringToSign(canonicalRequest: canonical, amzDate: amzDate, credentialScope: scope)
        let signature = Self.signature(signingKey: signingKey(dateStamp: dateStamp), stringToSign: toSign)
        headers.append(("Authorization", authorization(credentialScope: scope, signedHeaders: signedHeaders, signature: signature)))
        return headers
    }

    // MARK: Helpers

    static func secretKeyBytes(_ secretKey: String) -> [UInt8] {
        Array("AWS4".utf8) + Array(secretKey.utf8)
    }

    static func deriveSigningKey(kSecret: [UInt8], dateStamp: String, region: String, service: String) -> [UInt8] {
        let kDate = hmac(kSecret, dateStamp)
        let kRegion = hmac(kDate, region)
        let kService = hmac(kRegion, service)
        return hmac(kService, scopeTerminator)
    }

    private static func hmac(_ key: [UInt8], _ message: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: key)))
    }

    /// ASCII whitespace, as in header values (botocore's `str.split()` also splits on Unicode
    /// spaces, which never occur in the headers we sign).
    @inline(__always)
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    /// ASCII-lowercased header name (header names are ASCII tokens).
    static func lowercasedName(_ name: String) -> String {
        guard name.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return name }
        return String(decoding: name.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}

extension AWSSigV4Signer: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Names the access key and scope only; the secret key and session token never appear.
    public var description: String {
        "AWSSigV4Signer(access: \(accessKey), region: \(region), service: \(service), sessionToken: \(sessionToken == nil ? "none" : "set"))"
    }

    public var debugDescription: String { description }

    /// Keeps `dump` and debuggers away from the key material.
    public var customMirror: Mirror {
        Mirror(self, children: ["accessKey": accessKey, "region": region, "service": service], displayStyle: .struct)
    }
}
