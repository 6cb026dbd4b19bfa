import DRGWCore
import Foundation
import Testing

@testable import AWSDRS

/// Vectors of the public AWS SigV4 test suite (`aws-sig-v4-test-suite`), each confirmed with botocore
/// 1.43.11 (`SigV4Auth.add_auth` with `botocore.auth.get_current_datetime` patched to 2015-08-30
/// 12:36:00): botocore's canonical request, string to sign and `Authorization` equal the suite's
/// `.creq`, `.sts` and `.authz` files byte for byte.
@Suite struct AWSSignerTests {
    static let suiteAK = "AKIDEXAMPLE"
    static let suiteSK = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let suiteDate = Timestamp.parseBasicISO8601("20150830T123600Z")!
    static let suiteHost = "example.amazonaws.com"
    static let suiteToken =
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="

    struct Vector {
        var method: String
        var path: String
        var query: [(name: String, value: String)] = []
        /// The request's headers before signing (the suite's `.req` without `X-Amz-Date`).
        var headers: [(name: String, value: String)]
        var sessionToken: String? = nil
        var canonical: String
        var stringToSign: String
        var authorization: String
    }

    static let getVanilla = Vector(
        method: "GET", path: "/", headers: [("Host", suiteHost)],
        canonical: """
            GET
            /

            host:example.amazonaws.com
            x-amz-date:20150830T123600Z

            host;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """,
        stringToSign: """
            AWS4-HMAC-SHA256
            20150830T123600Z
            20150830/us-east-1/service/aws4_request
            bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63
            """,
        authorization:
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    )

    static let postVanilla = Vector(
        method: "POST", path: "/", headers: [("Host", suiteHost)],
        canonical: """
            POST
            /

            host:example.amazonaws.com
            x-amz-date:20150830T123600Z

            host;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """,
        stringToSign: """
            AWS4-HMAC-SHA256
            20150830T123600Z
            20150830/us-east-1/service/aws4_request
            553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87
            """,
        authorization:
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
    )

    static let getVanillaQueryOrderKeyCase = Vector(
        method: "GET", path: "/", query: [("Param2", "value2"), ("Param1", "value1")], headers: [("Host", suiteHost)],
        canonical: """
            GET
            /
            Param1=value1&Param2=value2
            host:example.amazonaws.com
            x-amz-date:20150830T123600Z

            host;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """,
        stringToSign: """
            AWS4-HMAC-SHA256
            20150830T123600Z
            20150830/us-east-1/service/aws4_request
            816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0
            """,
        authorization:
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
    )

    static let getHeaderValueTrim = Vector(
        method: "GET", path: "/",
        headers: [("Host", suiteHost), ("My-Header1", " value1"), ("My-Header2", #" "a   b   c""#)],
        canonical: """
            GET
            /

            host:example.amazonaws.com
            my-header1:value1
            my-header2:"a b c"
            x-amz-date:20150830T123600Z

            host;my-header1;my-header2;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """,
        stringToSign: """
            AWS4-HMAC-SHA256
            20150830T123600Z
            20150830/us-east-1/service/aws4_request
            a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7
            """,
        authorization:
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"
    )

    static let getHeaderKeyDuplicate = Vector(
        method: "GET", path: "/",
        headers: [("Host", suiteHost), ("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")],
        canonical: """
            GET
            /

            host:example.amazonaws.com
            my-header1:value2,value2,value1
            x-amz-date:20150830T123600Z

            host;my-header1;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """,
        stringToSign: """
            AWS4-HMAC-SHA256
            20150830T123600Z
            20150830/us-east-1/service/aws4_request
            dc7f04a3abfde8d472b0ab1a418b741b7c67174dad1551b4117b15527fbe966c
            """,
        authorization:
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"
    )

    /// The suite's `post-sts-header-before`: the session token is a signed header.
    static let postSTSToken = Vector(
        method: "POST", path: "/", headers: [("Host", suiteHost)], sessionToken: suiteToken,
        canonical: """
            POST
            /

            host:example.amazonaws.com
            x-amz-date:20150830T123600Z
            x-amz-security-token:AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==

            host;x-amz-date;x-amz-security-token
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """,
        stringToSign: """
            AWS4-HMAC-SHA256
            20150830T123600Z
            20150830/us-east-1/service/aws4_request
            c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6
            """,
        authorization:
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"
    )

    static let suite: [(String, Vector)] = [
        ("get-vanilla", getVanilla), ("post-vanilla", postVanilla),
        ("get-vanilla-query-order-key-case", getVanillaQueryOrderKeyCase), ("get-header-value-trim", getHeaderValueTrim),
        ("get-header-key-duplicate", getHeaderKeyDuplicate), ("post-sts-header-before", postSTSToken),
    ]

    static func suiteSigner(token: String? = nil) -> AWSSigV4Signer {
        AWSSigV4Signer(accessKey: suiteAK, secretKey: suiteSK, sessionToken: token, region: "us-east-1", service: "service")
    }

    @Test(arguments: suite.map(\.0))
    func intermediatesMatchTheSuite(_ name: String) {
        let v = Self.suite.first { $0.0 == name }!.1
        var headers = v.headers
        headers.append(("X-Amz-Date", "20150830T123600Z"))
        if let token = v.sessionToken { headers.append(("X-Amz-Security-Token", token)) }
        let signed = AWSSigV4Signer.signedHeaderNames(headers)
        let canonical = AWSSigV4Signer.canonicalRequest(
            method: v.method, path: v.path, query: v.query, headers: headers, signedHeaders: signed,
            payloadHash: Digest.sha256Hex([UInt8]()))
        #expect(canonical == v.canonical)
        let scope = AWSSigV4Signer.credentialScope(dateStamp: "20150830", region: "us-east-1", service: "service")
        let toSign = AWSSigV4Signer.stringToSign(canonicalRequest: canonical, amzDate: "20150830T123600Z", credentialScope: scope)
        #expect(toSign == v.stringToSign)
        let key = AWSSigV4Signer.signingKey(secretKey: Self.suiteSK, dateStamp: "20150830", region: "us-east-1", service: "service")
        let signature = AWSSigV4Signer.signature(signingKey: key, stringToSign: toSign)
        let signer = Self.suiteSigner(token: v.sessionToken)
        #expect(signer.authorization(credentialScope: scope, signedHeaders: signed, signature: signature) == v.authorization)
    }

    @Test(arguments: suite.map(\.0))
    func signAddsDateTokenAndAuthorization(_ name: String) {
        let v = Self.suite.first { $0.0 == name }!.1
        let headers = Self.suiteSigner(token: v.sessionToken).sign(
            method: v.method, path: v.path, query: v.query, headers: v.headers, body: [], date: Self.suiteDate)
        #expect(headers.first { $0.name == "X-Amz-Date" }?.value == "20150830T123600Z")
        #expect(headers.first { $0.name == "X-Amz-Security-Token" }?.value == v.sessionToken)
        #expect(headers.first { $0.name == "Authorization" }?.value == v.authorization)
        #expect(headers.count == v.headers.count + (v.sessionToken == nil ? 2 : 3))
    }

    /// kDate → kRegion → kService → kSigning, each step computed with botocore's `SigV4Auth._sign`.
    @Test func signingKeyChainMatchesBotocore() {
        let key = AWSSigV4Signer.signingKey(secretKey: Self.suiteSK, dateStamp: "20150830", region: "us-east-1", service: "service")
        #expect(Digest.hex(key) == "938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75")
        #expect(Digest.hex(Self.suiteSigner().signingKey(dateStamp: "20150830")) == Digest.hex(key))
        let kSecret = AWSSigV4Signer.secretKeyBytes(Self.suiteSK)
        #expect(Digest.hmacSHA256Hex(key: kSecret, message: "20150830") == "0138c7a6cbd60aa727b2f653a522567439dfb9f3e72b21f9b25941a42f04a7cd")
        let drs = AWSSigV4Signer.signingKey(secretKey: Self.sdkSK, dateStamp: "20260115", region: "us-east-1", service: "drs")
        #expect(Digest.hex(drs) == "bad298d97395c7e9491dd5e0d20f9b1f2122371df6bb2f4aaf576e4d8146ad9d")
    }

    // MARK: Requests signed by boto3 for the real service

    // Captured with boto3/botocore 1.43.11 (AWS_CONFIG_FILE=/dev/null; nothing leaves the machine: the
    // before-send hook answers instead of the network). Values of unsigned headers (User-Agent,
    // amz-sdk-*) vary between runs; the signature does not.
    //
    //   import datetime, boto3, botocore.auth, botocore.awsrequest as r; from unittest import mock
    //   class Raw:
    //       def stream(self, **_): yield b'{}'
    //   def send(request, **_):
    //       print(request.method, request.url, dict(request.headers), request.body); return r.AWSResponse(request.url, 200, {}, Raw())
    //   c = boto3.client('drs', region_name='us-east-1', endpoint_url='http://127.0.0.1:4566', aws_access_key_id='AKIAIOSFODNN7EXAMPLE',
    //       aws_secret_access_key='wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', aws_session_token='IQoJb3JpZ2luX2VjEXAMPLEtoken/with+slash=')
    //   c.meta.events.register('before-send', send)
    //   with mock.patch.object(botocore.auth, 'get_current_datetime', return_value=datetime.datetime(2026, 1, 15, 8, 30)):
    //       c.start_recovery(isDrill=True, sourceServers=[{'sourceServerID': 's-1234567890abcdef0'}], tags={'drgw-drill': 'dr-42'})
    //       c.untag_resource(resourceArn='arn:aws:drs:us-east-1:123456789012:source-server/s-1234567890abcdef0', tagKeys=['drgw drill', 'team/dr*'])
    //
    // The canonical requests are botocore's own (logger `botocore.auth` at DEBUG). On the wire urllib3
    // adds `Host: 127.0.0.1:4566` (which botocore signs, taken from the URL) and `Accept-Encoding:
    // identity` (seen with a loopback server).

    static let sdkAK = "AKIAIOSFODNN7EXAMPLE"
    static let sdkSK = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    static let sdkToken = "IQoJb3JpZ2luX2VjEXAMPLEtoken/with+slash="
    static let sdkDate = Timestamp.parseBasicISO8601("20260115T083000Z")!
    static let sdkUserAgent =
        "Boto3/1.43.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.18.44-fc-v1294 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/N,b,D,e,Z cfg/retry-mode#legacy Botocore/1.43.11"
    static let startRecoveryBody = Array(
        #"{"isDrill": true, "sourceServers": [{"sourceServerID": "s-1234567890abcdef0"}], "tags": {"drgw-drill": "dr-42"}}"#.utf8)
    static let startRecoveryAuthorization =
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260115/us-east-1/drs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=0e52311bfe533330ef4cb0635a978d2d6d2ec855a82f8ac1ed7bc719cef56995"
    static let untagPath =
        "/tags/arn%3Aaws%3Adrs%3Aus-east-1%3A123456789012%3Asource-server%2Fs-1234567890abcdef0"
    static let untagRawQuery = "tagKeys=drgw%20drill&tagKeys=team%2Fdr%2A"
    static let untagAuthorization =
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260115/us-east-1/drs/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=c55a551488b35494596fbcce9eedb08a419b0f6aab5a9dd143aaf871cf00ab4c"

    let sdkSigner = AWSSigV4Signer(
        accessKey: sdkAK, secretKey: sdkSK, sessionToken: sdkToken, region: "us-east-1", service: "drs")
    let verifier = AWSSignatureVerifier(secrets: [sdkAK: sdkSK], region: "us-east-1", service: "drs")

    /// The StartRecovery request exactly as it reached the wire.
    static let startRecoveryWire: [(name: String, value: String)] = [
        ("Host", "127.0.0.1:4566"),
        ("Accept-Encoding", "identity"),
        ("Content-Type", "application/json"),
        ("User-Agent", sdkUserAgent),
        ("X-Amz-Date", "20260115T083000Z"),
        ("X-Amz-Security-Token", sdkToken),
        ("Authorization", startRecoveryAuthorization),
        ("amz-sdk-invocation-id", "2b52638d-7409-4b9b-aab2-9f7f9ad03228"),
        ("amz-sdk-request", "attempt=1"),
        ("Content-Length", "112"),
    ]

    /// The UntagResource request exactly as it reached the wire.
    static let untagWire: [(name: String, value: String)] = [
        ("Host", "127.0.0.1:4566"),
        ("Accept-Encoding", "identity"),
        ("User-Agent", sdkUserAgent),
        ("X-Amz-Date", "20260115T083000Z"),
        ("X-Amz-Security-Token", sdkToken),
        ("Authorization", untagAuthorization),
        ("amz-sdk-invocation-id", "cd615c2a-1dcc-4ea0-9fae-ba56f6d4ab1b"),
        ("amz-sdk-request", "attempt=1"),
        ("Content-Length", "0"),
    ]

    @Test func startRecoveryMatchesBoto3() {
        // The headers botocore had when it signed: the rest are added after signing.
        let headers = sdkSigner.sign(
            method: "POST", path: "/StartRecovery", query: [],
            headers: [("Host", "127.0.0.1:4566"), ("Content-Type", "application/json"), ("User-Agent", Self.sdkUserAgent)],
            body: Self.startRecoveryBody, date: Self.sdkDate)
        #expect(headers.first { $0.name == "Authorization" }?.value == Self.startRecoveryAuthorization)
        #expect(headers.first { $0.name == "X-Amz-Date" }?.value == "20260115T083000Z")
        #expect(headers.first { $0.name == "X-Amz-Security-Token" }?.value == Self.sdkToken)

        let canonical = AWSSigV4Signer.canonicalRequest(
            method: "POST", path: "/StartRecovery", query: [], headers: headers,
            signedHeaders: AWSSigV4Signer.signedHeaderNames(headers), payloadHash: Digest.sha256Hex(Self.startRecoveryBody))
        #expect(
            canonical == """
                POST
                /StartRecovery

                content-type:application/json
                host:127.0.0.1:4566
                x-amz-date:20260115T083000Z
                x-amz-security-token:IQoJb3JpZ2luX2VjEXAMPLEtoken/with+slash=

                content-type;host;x-amz-date;x-amz-security-token
                a67027817b047d7a0d1e13267c6edf31aec8ad187a36637d8380e4f2072e2edd
                """)
        let scope = AWSSigV4Signer.credentialScope(dateStamp: "20260115", region: "us-east-1", service: "drs")
        #expect(
            AWSSigV4Signer.stringToSign(canonicalRequest: canonical, amzDate: "20260115T083000Z", credentialScope: scope) == """
                AWS4-HMAC-SHA256
                20260115T083000Z
                20260115/us-east-1/drs/aws4_request
                665d40de3d8c1a72f705c2e318c085903ece20d7de0bc01d126dbf284ea42b62
                """)
    }

    /// A path label and a query: botocore encodes the ARN into the path, then signs the path encoded
    /// a second time (`%3A` → `%253A`).
    @Test func untagResourceMatchesBoto3() {
        let query = PercentEncoding.parseQuery(Self.untagRawQuery)
        #expect(AWSSigV4Signer.canonicalQuery(query) == Self.untagRawQuery)
        let headers = sdkSigner.sign(
            method: "DELETE", path: Self.untagPath, query: query,
            headers: [("Host", "127.0.0.1:4566"), ("User-Agent", Self.sdkUserAgent)], body: [], date: Self.sdkDate)
        #expect(headers.first { $0.name == "Authorization" }?.value == Self.untagAuthorization)
        let canonical = AWSSigV4Signer.canonicalRequest(
            method: "DELETE", path: Self.untagPath, query: query, headers: headers,
            signedHeaders: AWSSigV4Signer.signedHeaderNames(headers), payloadHash: Digest.emptySHA256Hex)
        #expect(
            canonical == """
                DELETE
                /tags/arn%253Aaws%253Adrs%253Aus-east-1%253A123456789012%253Asource-server%252Fs-1234567890abcdef0
                tagKeys=drgw%20drill&tagKeys=team%2Fdr%2A
                host:127.0.0.1:4566
                x-amz-date:20260115T083000Z
                x-amz-security-token:IQoJb3JpZ2luX2VjEXAMPLEtoken/with+slash=

                host;x-amz-date;x-amz-security-token
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """)
        let scope = AWSSigV4Signer.credentialScope(dateStamp: "20260115", region: "us-east-1", service: "drs")
        #expect(
            AWSSigV4Signer.stringToSign(canonicalRequest: canonical, amzDate: "20260115T083000Z", credentialScope: scope) == """
                AWS4-HMAC-SHA256
                20260115T083000Z
                20260115/us-east-1/drs/aws4_request
                7cca4f14ff7b81ddfe84ed5c262a5d7500f59220bfc77398bbd9d02062742954
                """)
    }

    @Test func verifierAcceptsTheSDKRequests() {
        #expect(
            verifier.verify(
                method: "POST", path: "/StartRecovery", rawQuery: "", headers: Self.startRecoveryWire,
                body: Self.startRecoveryBody, now: Self.sdkDate) == nil)
        #expect(
            verifier.verify(
                method: "DELETE", path: Self.untagPath, rawQuery: Self.untagRawQuery, headers: Self.untagWire, body: [],
                now: Self.sdkDate.addingTimeInterval(299)) == nil)
        // Unsigned headers may change on the way (a proxy rewriting User-Agent, a retry counter).
        var rewritten = Self.startRecoveryWire.filter { $0.name != "User-Agent" && $0.name != "amz-sdk-request" }
        rewritten.append(("amz-sdk-request", "attempt=2; max=3"))
        #expect(
            verifier.verify(
                method: "POST", path: "/StartRecovery", rawQuery: "", headers: rewritten, body: Self.startRecoveryBody,
                now: Self.sdkDate) == nil)
    }

    // MARK: Verifier

    @Test func verifierAcceptsTheSignerAndRejectsTampering() {
        let now = Self.sdkDate
        let body = Self.startRecoveryBody
        let base: [(name: String, value: String)] = [
            ("Host", "127.0.0.1:4566"), ("Content-Type", "application/json"), ("X-Custom", "  a   b "),
        ]
        let query: [(name: String, value: String)] = [("b", "x y"), ("a", "1/2")]
        let rawQuery = "b=x%20y&a=1%2F2"
        let signed = sdkSigner.sign(method: "POST", path: "/StartRecovery", query: query, headers: base, body: body, date: now)
        func verify(
            _ headers: [(name: String, value: String)], body: [UInt8] = body, query: String = rawQuery, now: Date = now,
            using verifier: AWSSignatureVerifier? = nil
        ) -> AWSSignatureVerifier.Failure? {
            (verifier ?? self.verifier).verify(
                method: "POST", path: "/StartRecovery", rawQuery: query, headers: headers, body: body, now: now)
        }

        #expect(verify(signed) == nil)
        #expect(verify(signed, query: "a=1%2f2&b=x%20y") == nil)  // any encoding of the same pairs
        #expect(verify(signed.map { ($0.name.uppercased(), $0.value) }) == nil)  // names are case-insensitive
        #expect(verify(signed, body: body + [0x20]) == .badSignature)
        #expect(verify(signed, query: "b=x%20y&a=1%2F3") == .badSignature)
        #expect(verify(signed, using: AWSSignatureVerifier(secrets: ["AKIDOTHER": Self.sdkSK], region: "us-east-1", service: "drs")) == .unknownAccessKey)
        #expect(verify(signed, using: AWSSignatureVerifier(secrets: [Self.sdkAK: Self.suiteSK], region: "us-east-1", service: "drs")) == .badSignature)
        #expect(verify(signed.filter { $0.name != "Authorization" }) == .missingAuthorization)
        #expect(verify(Self.replacing("Authorization", with: "AWS4-HMAC-SHA256 garbage", in: signed)) == .malformedAuthorization)
        #expect(verify(Self.replacing("Authorization", with: "Bearer abc", in: signed)) == .malformedAuthorization)
        #expect(verify(signed.filter { $0.name != "X-Amz-Date" }) == .malformedAuthorization)
        #expect(verify(signed, now: now.addingTimeInterval(600)) == .expired)
        #expect(verify(signed, now: now.addingTimeInterval(-600)) == .expired)
        let otherRegion = AWSSigV4Signer(
            accessKey: Self.sdkAK, secretKey: Self.sdkSK, sessionToken: Self.sdkToken, region: "eu-west-1", service: "drs")
        #expect(verify(otherRegion.sign(method: "POST", path: "/StartRecovery", query: query, headers: base, body: body, date: now)) == .wrongScope)
        let otherService = AWSSigV4Signer(
            accessKey: Self.sdkAK, secretKey: Self.sdkSK, sessionToken: Self.sdkToken, region: "us-east-1", service: "ec2")
        #expect(verify(otherService.sign(method: "POST", path: "/StartRecovery", query: query, headers: base, body: body, date: now)) == .wrongScope)
        // A scope day other than X-Amz-Date's, even with a signature made for it.
        let auth = signed.first { $0.name == "Authorization" }!.value
        #expect(verify(Self.replacing("Authorization", with: auth.replacingOccurrences(of: "/20260115/", with: "/20260114/"), in: signed)) == .wrongScope)
        // Signed headers removed from the request, or changed.
        #expect(verify(signed.filter { $0.name != "X-Amz-Security-Token" }) == .badSignature)
        #expect(verify(signed.filter { $0.name != "Content-Type" }) == .badSignature)
        #expect(verify(signed.filter { $0.name != "X-Custom" }) == .badSignature)
        #expect(verify(Self.replacing("X-Custom", with: "a b c", in: signed)) == .badSignature)
        #expect(verify(Self.replacing("X-Custom", with: "a b", in: signed)) == nil)  // same canonical value
    }

    @Test func authorizationHeaderParsesWithOrWithoutSpaces() {
        let sig = String(repeating: "0f", count: 32)
        let spaced = AWSSignatureVerifier.AuthorizationHeader(
            "AWS4-HMAC-SHA256 Credential=AK/20260115/us-east-1/drs/aws4_request, SignedHeaders=Host;x-amz-date, Signature=\(sig)")
        let tight = AWSSignatureVerifier.AuthorizationHeader(
            "AWS4-HMAC-SHA256 Credential=AK/20260115/us-east-1/drs/aws4_request,SignedHeaders=host;x-amz-date,Signature=\(sig)")
        #expect(spaced != nil)
        #expect(spaced == tight)
        #expect(tight?.accessKey == "AK")
        #expect(tight?.dateStamp == "20260115")
        #expect(tight?.region == "us-east-1")
        #expect(tight?.service == "drs")
        #expect(tight?.signedHeaders == ["host", "x-amz-date"])
        for bad in [
            "AWS4-HMAC-SHA256 Credential=AK/20260115/us-east-1/drs/aws4_request, SignedHeaders=host;x-amz-date",
            "AWS4-HMAC-SHA256 Credential=AK/2026011/us-east-1/drs/aws4_request, SignedHeaders=host, Signature=\(sig)",
            "AWS4-HMAC-SHA256 Credential=AK/20260115/us-east-1/drs, SignedHeaders=host, Signature=\(sig)",
            "AWS4-HMAC-SHA256 Credential=AK/20260115/us-east-1/drs/aws4_request, SignedHeaders=host;;a, Signature=\(sig)",
            "AWS4-HMAC-SHA256 Credential=AK/20260115/us-east-1/drs/aws4_request, SignedHeaders=host, Signature=xyz",
            "AWS4-HMAC-SHA256 Credential=AK/20260115/us-east-1/drs/aws4_request, Credential=AK/20260115/us-east-1/drs/aws4_request, SignedHeaders=host, Signature=\(sig)",
            "AWS4-HMAC-SHA1 Credential=AK/20260115/us-east-1/drs/aws4_request, SignedHeaders=host, Signature=\(sig)",
        ] {
            #expect(AWSSignatureVerifier.AuthorizationHeader(bad) == nil, "\(bad)")
        }
    }

    // MARK: Canonical parts

    /// Expected values printed by botocore (`SigV4Auth._normalize_url_path`, `canonical_query_string`).
    @Test func canonicalURIAndQueryFollowBotocore() {
        let uris: [(String, String)] = [
            ("", "/"), ("/", "/"), ("//", "/"), ("/StartRecovery", "/StartRecovery"),
            ("/a%20b/c", "/a%2520b/c"), ("/a%2Fb", "/a%252Fb"), ("/example//path/./x/../y/", "/example/path/y/"),
            ("/%E1%88%B4", "/%25E1%2588%25B4"), ("/a~b+c=d:e@f", "/a~b%2Bc%3Dd%3Ae%40f"), ("/..", "/"),
            ("/a/b/..", "/a"), ("/a/b/../", "/a/"),
        ]
        for (path, expected) in uris {
            #expect(AWSSigV4Signer.canonicalURI(path) == expected, "\(path)")
        }
        #expect(AWSSigV4Signer.canonicalQuery([("b", "x y/*"), ("a", "ሴ"), ("A", "1")]) == "A=1&a=%E1%88%B4&b=x%20y%2F%2A")
        #expect(AWSSigV4Signer.canonicalQuery([("b", "2"), ("a", "1"), ("a", "0")]) == "a=0&a=1&b=2")
        #expect(AWSSigV4Signer.canonicalQuery([("flag", "")]) == "flag=")
        #expect(AWSSigV4Signer.canonicalQuery([("a", "1"), ("a", "")]) == "a=&a=1")
        #expect(AWSSigV4Signer.canonicalQuery([]) == "")
    }

    @Test func headerSelectionAndValues() {
        let names = AWSSigV4Signer.signedHeaderNames([
            ("Host", "h"), ("User-Agent", "ua"), ("Expect", "100-continue"), ("X-Amzn-Trace-Id", "Root=1"),
            ("traceparent", "00-0"), ("Tracestate", "a=b"), ("Authorization", "x"), ("Connection", "close"),
            ("Content-Type", "application/json"), ("X-Amz-Date", "d"), ("x-amz-date", "d"),
        ])
        #expect(names == ["content-type", "host", "x-amz-date"])
        #expect(AWSSigV4Signer.canonicalHeaderValue("  a \t  b\tc  ") == "a b c")
        #expect(AWSSigV4Signer.canonicalHeaderValue("   ") == "")
        #expect(
            AWSSigV4Signer.canonicalHeaders([("A", " 1 "), ("b", "2"), ("a", "3  4")], signedHeaders: ["a", "b"]) == """
                a:1,3 4
                b:2

                """)
    }

    @Test func signReplacesAnEarlierSignature() {
        let first = sdkSigner.sign(
            method: "POST", path: "/StartRecovery", query: [],
            headers: [("Host", "127.0.0.1:4566"), ("Content-Type", "application/json")], body: Self.startRecoveryBody,
            date: Self.sdkDate.addingTimeInterval(-3600))
        let again = sdkSigner.sign(
            method: "POST", path: "/StartRecovery", query: [], headers: first, body: Self.startRecoveryBody, date: Self.sdkDate)
        #expect(again.filter { HeaderName.equal($0.name, "authorization") }.count == 1)
        #expect(again.filter { HeaderName.equal($0.name, "x-amz-date") }.map(\.value) == ["20260115T083000Z"])
        #expect(again.filter { HeaderName.equal($0.name, "x-amz-security-token") }.count == 1)
        #expect(again.first { $0.name == "Authorization" }?.value == Self.startRecoveryAuthorization)
    }

    @Test func descriptionNeverShowsSecrets() {
        for text in ["\(sdkSigner)", String(reflecting: sdkSigner), "\(verifier)", String(reflecting: verifier)] {
            #expect(!text.contains(Self.sdkSK))
            #expect(!text.contains(Self.sdkToken))
        }
        var dumped = ""
        dump(sdkSigner, to: &dumped)
        dump(verifier, to: &dumped)
        #expect(!dumped.contains(Self.sdkSK))
        #expect(!dumped.contains(Self.sdkToken))
        #expect(!dumped.contains("AWS4wJalr"))
        #expect("\(sdkSigner)".contains(Self.sdkAK))
    }

    static func replacing(
        _ name: String, with value: String, in headers: [(name: String, value: String)]
    ) -> [(name: String, value: String)] {
        headers.map { $0.name == name ? ($0.name, value) : $0 }
    }
}
