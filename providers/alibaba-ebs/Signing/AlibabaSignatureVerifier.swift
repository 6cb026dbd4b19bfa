import DRGWCore
import Foundation

/// Checks the signature of an incoming RPC request the way the Alibaba POP gateway does,
/// for the simulator: V3 is recomputed over the headers the client listed in `SignedHeaders`,
/// V1 over every parameter except `Signature`.
public struct AlibabaSignatureVerifier: Sendable {
    /// Why a request was refused; `code` is the Alibaba error code to answer with.
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// `IncompleteSignature`, `SignatureDoesNotMatch`, `InvalidAccessKeyId.NotFound`, …
        public var code: String
        /// A short, secret-free reason.
        public var reason: String
        /// Names the code only.
        public var description: String { "AlibabaSignatureVerifier.Failure(\(code))" }
    }

    /// What a valid request was signed with.
    public struct Verified: Equatable, Sendable {
        /// `v3` or `v1`.
        public var version: String
        /// The AccessKey id that signed.
        public var accessKeyId: String
        /// The signing date (`x-acs-date` / `Timestamp`).
        public var date: Date
        /// `x-acs-signature-nonce` / `SignatureNonce`.
        public var nonce: String
        /// The Action (from `x-acs-action` or the `Action` parameter).
        public var action: String
        /// The STS token, when one was sent.
        public var securityToken: String?
    }

    /// Looks the secret of an AccessKey id up; nil when the key is unknown.
    public var secretFor: @Sendable (String) -> String?

    /// Creates a verifier with a secret look-up by AccessKey id.
    public init(secretFor: @escaping @Sendable (String) -> String?) {
        self.secretFor = secretFor
    }

    /// Verifies one request: `query` and `form` are the decoded query and form-body parameters.
    public func verify(
        method: String, path: String, query: [(name: String, value: String)], form: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)], body: [UInt8]
    ) -> Result<Verified, Failure> {
        if let authorization = header("authorization", in: headers), authorization.hasPrefix("ACS3-") {
            // V3 signs the query; a form body is covered by the payload hash.
            return verifyV3(method: method, path: path, parameters: query, headers: headers, body: body, authorization: authorization)
        }
        let parameters = query + form
        if parameters.contains(where: { $0.name == "Signature" }) {
            return verifyV1(method: method, parameters: parameters)
        }
        return .failure(Failure(code: "MissingParameter.Signature", reason: "no signature"))
    }

    private func header(_ name: String, in headers: [(name: String, value: String)]) -> String? {
        headers.first { HeaderName.equal($0.name, name) }?.value
    }

    private func verifyV3(
        method: String, path: String, parameters: [(name: String, value: String)],
        headers: [(name: String, value: String)], body: [UInt8], authorization: String
    ) -> Result<Verified, Failure> {
        let incomplete = { (reason: String) in Result<Verified, Failure>.failure(Failure(code: "IncompleteSignature", reason: reason)) }
        let pieces = authorization.split(separator: " ", maxSplits: 1)
        guard pieces.count == 2, pieces[0] == AlibabaV3Signer.algorithm else { return incomplete("unsupported algorithm") }
        var fields: [String: String] = [:]
        for part in pieces[1].split(separator: ",") {
            let kv = ASCIIText.trimmed(part).split(separator: "=", maxSplits: 1)
            if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
        }
        guard let accessKeyId = fields["Credential"], let signedList = fields["SignedHeaders"], let given = fields["Signature"]
        else { return incomplete("malformed Authorization") }
        guard let secret = secretFor(accessKeyId) else {
            return .failure(Failure(code: "InvalidAccessKeyId.NotFound", reason: "unknown access key"))
        }
        let signedNames = signedList.split(separator: ";").map { String($0).lowercased() }
        let required = ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"]
        for name in required where !signedNames.contains(name) { return incomplete("\(name) is not signed") }
        for sent in headers where sent.name.lowercased().hasPrefix("x-acs-") && !signedNames.contains(sent.name.lowercased()) {
            return incomplete("\(sent.name.lowercased()) is not signed")
        }
        var signedHeaders: [(name: String, value: String)] = []
        for name in signedNames {
            let values = headers.filter { HeaderName.equal($0.name, name) }
            if values.isEmpty { return incomplete("\(name) is missing") }
            signedHeaders += values.map { (name, $0.value) }
        }
        let payloadHash = header("x-acs-content-sha256", in: headers) ?? ""
        if payloadHash != Digest.sha256Hex(body) {
            return .failure(Failure(code: "SignatureDoesNotMatch", reason: "content hash differs"))
        }
        let canonical = AlibabaV3Signer.canonicalRequest(
            method: method, path: path, query: parameters, headers: signedHeaders,
            payloadHash: payloadHash)
        let expected = AlibabaV3Signer.signature(stringToSign: AlibabaV3Signer.stringToSign(canonicalRequest: canonical), secret: secret)
        guard Digest.constantTimeEquals(Array(expected.utf8), Array(given.lowercased().utf8)) else {
            return .failure(Failure(code: "SignatureDoesNotMatch", reason: "signature differs"))
        }
        guard let dateText = header("x-acs-date", in: headers), let date = Timestamp.parseISO8601Seconds(dateText) else {
            return .failure(Failure(code: "InvalidTimeStamp.Format", reason: "bad x-acs-date"))
        }
        return .success(Verified(
            version: "v3", accessKeyId: accessKeyId, date: date, nonce: header("x-acs-signature-nonce", in: headers) ?? "",
            action: header("x-acs-action", in: headers) ?? "", securityToken: header("x-acs-security-token", in: headers)))
    }

    private func verifyV1(method: String, parameters: [(name: String, value: String)]) -> Result<Verified, Failure> {
        func value(_ name: String) -> String? { parameters.first { $0.name == name }?.value }
        for name in ["AccessKeyId", "SignatureNonce", "Timestamp", "SignatureMethod"] where value(name) == nil {
            return .failure(Failure(code: "MissingParameter.\(name)", reason: "\(name) is missing"))
        }
        guard value("SignatureMethod") == "HMAC-SHA1" else {
            return .failure(Failure(code: "IncompleteSignature", reason: "unsupported SignatureMethod"))
        }
        let accessKeyId = value("AccessKeyId")!
        guard let secret = secretFor(accessKeyId) else {
            return .failure(Failure(code: "InvalidAccessKeyId.NotFound", reason: "unknown access key"))
        }
        let unsigned = parameters.filter { $0.name != "Signature" }
        let toSign = AlibabaV1Signer.stringToSign(method: method, canonicalizedQuery: AlibabaV1Signer.canonicalizedQuery(unsigned))
        let expected = AlibabaV1Signer.signature(stringToSign: toSign, secret: secret)
        guard Digest.constantTimeEquals(Array(expected.utf8), Array((value("Signature") ?? "").utf8)) else {
            return .failure(Failure(code: "SignatureDoesNotMatch", reason: "signature differs"))
        }
        guard let date = Timestamp.parseISO8601Seconds(value("Timestamp")!) else {
            return .failure(Failure(code: "InvalidTimeStamp.Format", reason: "bad Timestamp"))
        }
        return .success(Verified(
            version: "v1", accessKeyId: accessKeyId, date: date, nonce: value("SignatureNonce")!,
            action: value("Action") ?? "", securityToken: value("SecurityToken")))
    }
}
