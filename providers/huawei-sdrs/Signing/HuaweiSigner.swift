import Crypto
import DRGWCore
import Foundation

/// Huawei Cloud APIG `SDK-HMAC-SHA256` signer, byte-compatible with the official SDK's `Signer`.
///
/// A pure value: the date is a parameter and nothing is read from the environment. Each step
/// (canonical request, string to sign, signature) is exposed on its own so that tests can compare
/// every intermediate against the SDK's vectors.
public struct HuaweiSigner: Sendable {
    /// The algorithm name that starts the `Authorization` header and the string to sign.
    public static let algorithm = "SDK-HMAC-SHA256"
    /// The header carrying the signing time.
    public static let dateHeader = "X-Sdk-Date"
    /// SHA-256 of the empty body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// The headers the gateway signs (plus `x-security-token` when a token is sent): never hop-by-hop
    /// headers that a proxy may rewrite.
    public static let defaultSignedHeaders = ["content-type", "host", "x-project-id", "x-sdk-date"]

    /// The access key id (public part).
    public var accessKey: String
    /// The HMAC key, made once from the secret key's UTF-8 bytes.
    private let secretKey: SymmetricKey

    /// Creates a signer for one AK/SK pair.
    public init(accessKey: String, secretKey: String) {
        self.accessKey = accessKey
        self.secretKey = SymmetricKey(data: Array(secretKey.utf8))
    }

    /// `defaultSignedHeaders` plus `x-security-token`, lowercase and sorted once.
    private static let defaultSignedHeadersWithToken = normalizedSignedHeaders(
        defaultSignedHeaders + ["x-security-token"])

    // MARK: Canonical parts

    /// The canonical URI: the path unescaped, each segment escaped again, and always a trailing `/`.
    public static func canonicalURI(_ path: String) -> String {
        // Fast path: nothing escaped and nothing to escape.
        if !path.isEmpty, path.utf8.allSatisfy({ PercentEncoding.isUnreserved($0) || $0 == UInt8(ascii: "/") }) {
            return path.utf8.last == UInt8(ascii: "/") ? path : path + "/"
        }
        let decoded = PercentEncoding.decode(path) ?? path
        var uri = decoded.split(separator: "/", omittingEmptySubsequences: false)
            .map { PercentEncoding.encode(String($0)) }
            .joined(separator: "/")
        if uri.isEmpty { uri = "/" }
        if !uri.hasSuffix("/") { uri += "/" }
        return uri
    }

    /// The canonical query: pairs sorted by key then value, both escaped, joined with `&`.
    /// The SDK sends exactly this string on the wire too.
    public static func canonicalQuery(_ pairs: [(name: String, value: String)]) -> String {
        pairs.sorted { $0.name == $1.name ? $0.value.utf8.lexicographicallyPrecedes($1.value.utf8) : $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
            .map { PercentEncoding.encode($0.name) + "=" + PercentEncoding.encode($0.value) }
            .joined(separator: "&")
    }

    /// Lowercased, sorted, de-duplicated header names without `_` (the SDK never signs those).
    public static func normalizedSignedHeaders(_ names: [String]) -> [String] {
        Array(Set(names.map { $0.lowercased() }.filter { !$0.utf8.contains(UInt8(ascii: "_")) }))
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The canonical request:
    /// `METHOD \n URI \n QUERY \n name:value lines \n (blank) \n signed;names \n payload hash`.
    ///
    /// `signedHeaders` must be lowercase and sorted (see `normalizedSignedHeaders`); values are
    /// looked up case-insensitively in `headers` and trimmed at both ends.
    public static func canonicalRequest(
        method: String, path: String, query: [(name: String, value: String)],
        headers: [(name: String, value: String)], signedHeaders: [String], payloadHash: String
    ) -> String {
        var out = method.uppercased()
        out.reserveCapacity(256)
        out += "\n"
        out += canonicalURI(path)
        out += "\n"
        out += query.isEmpty ? "" : canonicalQuery(query)
        out += "\n"
        for name in signedHeaders {
            let value = headers.first { HeaderName.equal($0.name, name) }?.value ?? ""
            out += name
            out += ":"
            out += ASCIIText.trimmed(value)
            out += "\n"
        }
        out += "\n"
        for (index, name) in signedHeaders.enumerated() {
            if index > 0 { out += ";" }
            out += name
        }
        out += "\n"
        out += payloadHash
        return out
    }

    /// `SDK-HMAC-SHA256 \n X-Sdk-Date \n hex(SHA-256(canonical request))`.
    public static func stringToSign(canonicalRequest: String, sdkDate: String) -> String {
        "\(algorithm)\n\(sdkDate)\n\(Digest.sha256Hex(canonicalRequest))"
    }

    /// Lowercase hex HMAC-SHA256 of the string to sign, keyed with the secret key's UTF-8 bytes.
    public func signature(stringToSign: String) -> String {
        Digest.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: secretKey))
    }

    /// The `Authorization` header value.
    public func authorization(signedHeaders: [String], signature: String) -> String {
        "\(Self.algorithm) Access=\(accessKey), SignedHeaders=\(signedHeaders.joined(separator: ";")), Signature=\(signature)"
    }

    // MARK: Whole requests

    /// Signs a request: adds `X-Sdk-Date` (from `date`) and `Authorization` to `headers`.
    ///
    /// - Parameters:
    ///   - method: HTTP method.
    ///   - path: the wire path (may already be escaped).
    ///   - query: decoded query pairs; send `canonicalQuery(query)` on the wire.
    ///   - headers: every header to send, `Host` included.
    ///   - body: the exact bytes sent.
    ///   - date: the signing time.
    ///   - signedHeaders: names to sign; those missing from `headers` are left out.
    /// - Returns: the headers with `X-Sdk-Date` and `Authorization` added.
    public func sign(
        method: String, path: String, query: [(name: String, value: String)],
        headers: [(name: String, value: String)], body: [UInt8], date: Date,
        signedHeaders: [String]? = nil
    ) -> [(name: String, value: String)] {
        var headers = headers.filter { !HeaderName.equal($0.name, "x-sdk-date") && !HeaderName.equal($0.name, "authorization") }
        let sdkDate = Timestamp.basicISO8601(date)
        headers.append((Self.dateHeader, sdkDate))
        let candidates: [String]
        if let signedHeaders {
            candidates = Self.normalizedSignedHeaders(signedHeaders + ["x-sdk-date"])
        } else {
            candidates = Self.defaultSignedHeadersWithToken  // already lowercase and sorted
        }
        // Only the names the request carries (a few headers each: a scan beats a set).
        let names = candidates.filter { name in headers.contains { HeaderName.equal($0.name, name) } }
        let canonical = Self.canonicalRequest(
            method: method, path: path, query: query, headers: headers, signedHeaders: names,
            payloadHash: Digest.sha256Hex(body))
        let toSign = Self.stringToSign(canonicalRequest: canonical, sdkDate: sdkDate)
        headers.append(("Authorization", authorization(signedHeaders: names, signature: signature(stringToSign: toSign))))
        return headers
    }
}

extension HuaweiSigner: CustomStringConvertible {
    /// Names the access key only; the secret never appears.
    public var description: String { "HuaweiSigner(access: \(accessKey))" }
}

