import DRGWCore
import Foundation
import Testing

@testable import HuaweiSDRS

/// Vectors of the notes §5, produced by the official Python SDK signer (huaweicloudsdkcore 3.1.219).
@Suite struct HuaweiSignerTests {
    static let ak = "HPUAEXAMPLEAK0000001"
    static let sk = "exampleSecretKey/0123456789abcdefghijklmnopqrstuv"
    static let project = "0605767a3300d5762fb7c0186d9e1779"
    static let host = "sdrs.ap-southeast-3.myhuaweicloud.com"
    static let date = Timestamp.parseBasicISO8601("20240102T030405Z")!
    let signer = HuaweiSigner(accessKey: ak, secretKey: sk)

    struct Vector {
        var method: String
        var path: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]
        var signedHeaders: [String]?
        var canonical: String
        var stringToSign: String
        var authorization: String
    }

    static let v1 = Vector(
        method: "GET", path: "/v1/\(project)/jobs/0000000062db92d70162db9d200f000a",
        headers: [("Content-Type", "application/json"), ("X-Project-Id", project), ("Host", host)],
        body: [], signedHeaders: nil,
        canonical: """
            GET
            /v1/0605767a3300d5762fb7c0186d9e1779/jobs/0000000062db92d70162db9d200f000a/

            content-type:application/json
            host:sdrs.ap-southeast-3.myhuaweicloud.com
            x-project-id:0605767a3300d5762fb7c0186d9e1779
            x-sdk-date:20240102T030405Z

            content-type;host;x-project-id;x-sdk-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """,
        stringToSign: """
            SDK-HMAC-SHA256
            20240102T030405Z
            9df9cecafe0f448670d6fdeb10878d0b121865e3eeceac822164bc8ad224ed0e
            """,
        authorization:
            "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=6bed235b9bf8bb302384334d5cc3c3d8f5bff64d1a4c59f5cbd1b9554109aa39"
    )

    static let v2 = Vector(
        method: "POST", path: "/v1/\(project)/server-groups/40df180b-9fe2-471a-8c64-1b758dc84189/action",
        headers: [("Content-Type", "application/json;charset=UTF-8"), ("X-Project-Id", project), ("Host", host)],
        body: Array(#"{"failover-server-group": {}}"#.utf8), signedHeaders: nil,
        canonical: """
            POST
            /v1/0605767a3300d5762fb7c0186d9e1779/server-groups/40df180b-9fe2-471a-8c64-1b758dc84189/action/

            content-type:application/json;charset=UTF-8
            host:sdrs.ap-southeast-3.myhuaweicloud.com
            x-project-id:0605767a3300d5762fb7c0186d9e1779
            x-sdk-date:20240102T030405Z

            content-type;host;x-project-id;x-sdk-date
            83880d7af2c4c30e05f76173c126fc08dac0a6b38a71eeed9b8a6f3f892de110
            """,
        stringToSign: """
            SDK-HMAC-SHA256
            20240102T030405Z
            2c13d639fe44eaf7972ce85cc0ca2a1221f9371b04e1e3f95a532dd8550d0b5d
            """,
        authorization:
            "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=f22fc0ce5d95cfdc688b41b41bde875b9835b4f380b8a5ec1d587548653988a9"
    )

    static let v4 = Vector(
        method: "POST", path: "/v1/\(project)/server-groups",
        headers: [
            ("Content-Type", "application/json;charset=UTF-8"), ("X-Project-Id", project), ("Host", host),
            ("User-Agent", "  my-gateway/1.0  "), ("X-Security-Token", "gQpjbi1ub3J0aC00EXAMPLETOKEN"),
            ("X_Custom", "not-signed"),
        ],
        body: Array(
            #"{"server_group":{"name":"pg-1","source_availability_zone":"ap-southeast-3a","target_availability_zone":"ap-southeast-3b","domain_id":"fb4bb8e3-a574-4437-a156-78c916aeea4d","source_vpc_id":"046852ef-c49d-409b-8389-546aaaa5701f","dr_type":"migration"}}"#
                .utf8),
        signedHeaders: ["Content-Type", "Host", "User-Agent", "X-Project-Id", "X-Security-Token", "X_Custom"],
        canonical: """
            POST
            /v1/0605767a3300d5762fb7c0186d9e1779/server-groups/

            content-type:application/json;charset=UTF-8
            host:sdrs.ap-southeast-3.myhuaweicloud.com
            user-agent:my-gateway/1.0
            x-project-id:0605767a3300d5762fb7c0186d9e1779
            x-sdk-date:20240102T030405Z
            x-security-token:gQpjbi1ub3J0aC00EXAMPLETOKEN

            content-type;host;user-agent;x-project-id;x-sdk-date;x-security-token
            045c1ffa360d32bb6824446173bf3bdb32ea2027ecfc4af8a5bd42d8656eb2ba
            """,
        stringToSign: """
            SDK-HMAC-SHA256
            20240102T030405Z
            073281dcbc7a15943b032a52c75a17d5f4ac5c507bcbba7049e51aa3aeb75f1b
            """,
        authorization:
            "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date;x-security-token, Signature=b410d843e18d2370c5547abba9e822cca6a8f739044ccbf0021266a6d140ff67"
    )

    static let v7 = Vector(
        method: "GET", path: "/v1/\(project)/jobs/0000000062db92d70162db9d200f000a",
        headers: [
            ("Content-Type", "application/json"), ("X-Project-Id", project), ("Host", host),
            ("User-Agent", "huaweicloud-usdk-python/3.0; fixed-ua"),
        ],
        body: [], signedHeaders: ["content-type", "host", "user-agent", "x-project-id"],
        canonical: """
            GET
            /v1/0605767a3300d5762fb7c0186d9e1779/jobs/0000000062db92d70162db9d200f000a/

            content-type:application/json
            host:sdrs.ap-southeast-3.myhuaweicloud.com
            user-agent:huaweicloud-usdk-python/3.0; fixed-ua
            x-project-id:0605767a3300d5762fb7c0186d9e1779
            x-sdk-date:20240102T030405Z

            content-type;host;user-agent;x-project-id;x-sdk-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """,
        stringToSign: """
            SDK-HMAC-SHA256
            20240102T030405Z
            7f62556677eab050be5d33a45cf37b4cec4edbf4411724a5c38a773f744c2ea5
            """,
        authorization:
            "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, Signature=d08cbdec1302e0bccb4dd9ca2343a9ae57fcbd58ee9a3642af07ae31c3aa969a"
    )

    static let vectors: [(String, Vector)] = [("V1", v1), ("V2", v2), ("V4", v4), ("V7", v7)]

    @Test(arguments: vectors.map(\.0))
    func intermediatesMatchTheSDK(_ name: String) {
        let v = Self.vectors.first { $0.0 == name }!.1
        let signed = Self.normalizedNames(v)
        var headers = v.headers
        headers.append(("X-Sdk-Date", "20240102T030405Z"))
        let canonical = HuaweiSigner.canonicalRequest(
            method: v.method, path: v.path, query: [], headers: headers, signedHeaders: signed,
            payloadHash: Digest.sha256Hex(v.body))
        #expect(canonical == v.canonical)
        let toSign = HuaweiSigner.stringToSign(canonicalRequest: canonical, sdkDate: "20240102T030405Z")
        #expect(toSign == v.stringToSign)
        let auth = signer.authorization(signedHeaders: signed, signature: signer.signature(stringToSign: toSign))
        #expect(auth == v.authorization)
    }

    @Test(arguments: vectors.map(\.0))
    func signAddsDateAndAuthorization(_ name: String) {
        let v = Self.vectors.first { $0.0 == name }!.1
        let headers = signer.sign(
            method: v.method, path: v.path, query: [], headers: v.headers, body: v.body, date: Self.date,
            signedHeaders: v.signedHeaders)
        #expect(headers.first { $0.name == "X-Sdk-Date" }?.value == "20240102T030405Z")
        #expect(headers.first { $0.name == "Authorization" }?.value == v.authorization)
    }

    @Test func verifierAcceptsEveryVectorAndRejectsAWrongSecret() {
        let good = HuaweiSignatureVerifier(secrets: [Self.ak: Self.sk])
        let bad = HuaweiSignatureVerifier(secrets: [Self.ak: Self.sk + "x"])
        for (_, v) in Self.vectors {
            let headers = signer.sign(
                method: v.method, path: v.path, query: [], headers: v.headers, body: v.body, date: Self.date,
                signedHeaders: v.signedHeaders)
            #expect(good.verify(method: v.method, path: v.path, rawQuery: "", headers: headers, body: v.body, now: Self.date) == nil)
            #expect(bad.verify(method: v.method, path: v.path, rawQuery: "", headers: headers, body: v.body, now: Self.date) == .signatureMismatch)
            #expect(good.verify(method: v.method, path: v.path, rawQuery: "", headers: headers, body: v.body + [0x20], now: Self.date) == .signatureMismatch)
            #expect(good.verify(method: v.method, path: v.path, rawQuery: "", headers: headers, body: v.body,
                now: Self.date.addingTimeInterval(16 * 60)) == .clockSkew)
        }
    }

    @Test func canonicalURIAndQueryFollowTheSDK() {
        #expect(HuaweiSigner.canonicalURI("/") == "/")
        #expect(HuaweiSigner.canonicalURI("/v1/p/jobs/j") == "/v1/p/jobs/j/")
        #expect(HuaweiSigner.canonicalURI("/v1/a%20b/c") == "/v1/a%20b/c/")
        #expect(HuaweiSigner.canonicalURI("/v1/a b/c") == HuaweiSigner.canonicalURI("/v1/a%20b/c"))
        let query = HuaweiSigner.canonicalQuery([("name", "a b/c*~"), ("limit", "10"), ("a", "2"), ("a", "1")])
        #expect(query == "a=1&a=2&limit=10&name=a%20b%2Fc%2A~")
        #expect(HuaweiSigner.canonicalQuery([]) == "")
    }

    @Test func descriptionNeverShowsTheSecret() {
        #expect(!"\(signer)".contains(Self.sk))
        #expect(!String(reflecting: signer).contains("exampleSecretKey"))
    }

    static func normalizedNames(_ v: Vector) -> [String] {
        let wanted = (v.signedHeaders ?? HuaweiSigner.defaultSignedHeaders + ["x-security-token"]) + ["x-sdk-date"]
        let present = Set(v.headers.map { $0.name.lowercased() } + ["x-sdk-date"])
        return HuaweiSigner.normalizedSignedHeaders(wanted.filter { present.contains($0.lowercased()) })
    }
}
