import AlibabaEBS
import DRGWCore
import Foundation
import Testing

/// The vectors of the research notes §6, computed with the official Python SDK.
@Suite struct SignerVectorTests {
    static let accessKeyId = "LTAI5tTESTAKIDexample"
    static let secret = "TestSecretKey0123456789abcdefXYZ"
    static let stsToken = "CAIS+STS/token==example"

    static func date(_ text: String) -> Date { Timestamp.parseISO8601Seconds(text)! }

    @Test func v1DocumentationExample() {
        let parameters: [(name: String, value: String)] = [
            ("Action", "DescribeRegions"), ("Version", "2014-05-26"), ("Format", "XML"), ("AccessKeyId", "testid"),
            ("SignatureMethod", "HMAC-SHA1"), ("SignatureVersion", "1.0"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"), ("Timestamp", "2016-02-23T12:46:24Z"),
        ]
        let query = AlibabaV1Signer.canonicalizedQuery(parameters)
        let toSign = AlibabaV1Signer.stringToSign(method: "GET", canonicalizedQuery: query)
        #expect(AlibabaV1Signer.signature(stringToSign: toSign, secret: "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY=")
    }

    @Test func v1DescribeDiskReplicaPairsGet() {
        let signer = AlibabaV1Signer(accessKeyId: Self.accessKeyId, accessKeySecret: Self.secret)
        let business: [(name: String, value: String)] = [
            ("RegionId", "cn-hangzhou"), ("MaxResults", "10"), ("PairIds", "pair-cn-abc123,pair-cn-def456"),
        ]
        let all = business + signer.commonParameters(
            action: "DescribeDiskReplicaPairs", version: "2021-07-30", date: Self.date("2026-01-15T08:30:00Z"),
            nonce: "c7a1e0f2-9b3d-4e5f-8a6b-1c2d3e4f5a6b")
        let query = AlibabaV1Signer.canonicalizedQuery(all)
        #expect(query == """
            AccessKeyId=LTAI5tTESTAKIDexample&Action=DescribeDiskReplicaPairs&Format=JSON&MaxResults=10&PairIds=pair-cn-abc123%2Cpair-cn-def456&RegionId=cn-hangzhou&SignatureMethod=HMAC-SHA1&SignatureNonce=c7a1e0f2-9b3d-4e5f-8a6b-1c2d3e4f5a6b&SignatureVersion=1.0&Timestamp=2026-01-15T08%3A30%3A00Z&Version=2021-07-30
            """)
        let toSign = AlibabaV1Signer.stringToSign(method: "GET", canonicalizedQuery: query)
        #expect(toSign == """
            GET&%2F&AccessKeyId%3DLTAI5tTESTAKIDexample%26Action%3DDescribeDiskReplicaPairs%26Format%3DJSON%26MaxResults%3D10%26PairIds%3Dpair-cn-abc123%252Cpair-cn-def456%26RegionId%3Dcn-hangzhou%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3Dc7a1e0f2-9b3d-4e5f-8a6b-1c2d3e4f5a6b%26SignatureVersion%3D1.0%26Timestamp%3D2026-01-15T08%253A30%253A00Z%26Version%3D2021-07-30
            """)
        #expect(AlibabaV1Signer.signature(stringToSign: toSign, secret: Self.secret) == "fV1e6i9kpSzrv/Dt6k66VMliYCU=")
        let signed = signer.sign(
            method: "GET", action: "DescribeDiskReplicaPairs", version: "2021-07-30", parameters: business,
            date: Self.date("2026-01-15T08:30:00Z"), nonce: "c7a1e0f2-9b3d-4e5f-8a6b-1c2d3e4f5a6b")
        #expect(signed.last?.name == "Signature")
        #expect(signed.last?.value == "fV1e6i9kpSzrv/Dt6k66VMliYCU=")
    }

    @Test func v1StartDiskReplicaPairPostWithSecurityToken() {
        let signer = AlibabaV1Signer(accessKeyId: Self.accessKeyId, accessKeySecret: Self.secret, securityToken: Self.stsToken)
        let signed = signer.sign(
            method: "POST", action: "StartDiskReplicaPair", version: "2021-07-30",
            parameters: [("OneShot", "true"), ("ClientToken", "tok-0001"), ("RegionId", "cn-shanghai"), ("ReplicaPairId", "pair-cn-dsa1234")],
            date: Self.date("2026-01-15T08:32:10Z"), nonce: "0f9e8d7c6b5a49382716051423324150", format: "json")
        #expect(signed.contains { $0.name == "SecurityToken" && $0.value == Self.stsToken })
        #expect(signed.last?.value == "PFrHMx+ji8hu1TVv7OlIgDdEErg=")
    }

    @Test func v3DescribeDiskReplicaPairsPost() {
        let query: [(name: String, value: String)] = [
            ("MaxResults", "10"), ("PairIds", "pair-cn-abc123,pair-cn-def456"), ("RegionId", "cn-hangzhou"),
        ]
        let headers: [(name: String, value: String)] = [
            ("host", "ebs.cn-hangzhou.aliyuncs.com"), ("x-acs-action", "DescribeDiskReplicaPairs"),
            ("x-acs-content-sha256", AlibabaV3Signer.emptyPayloadHash), ("x-acs-date", "2026-01-15T08:30:00Z"),
            ("x-acs-signature-nonce", "3f1b2c4d5e6f708192a3b4c5d6e7f809"), ("x-acs-version", "2021-07-30"),
        ]
        let canonical = AlibabaV3Signer.canonicalRequest(
            method: "POST", query: query, headers: headers, payloadHash: AlibabaV3Signer.emptyPayloadHash)
        #expect(canonical == """
            POST
            /
            MaxResults=10&PairIds=pair-cn-abc123%2Cpair-cn-def456&RegionId=cn-hangzhou
            host:ebs.cn-hangzhou.aliyuncs.com
            x-acs-action:DescribeDiskReplicaPairs
            x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            x-acs-date:2026-01-15T08:30:00Z
            x-acs-signature-nonce:3f1b2c4d5e6f708192a3b4c5d6e7f809
            x-acs-version:2021-07-30

            host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        let toSign = AlibabaV3Signer.stringToSign(canonicalRequest: canonical)
        #expect(toSign == "ACS3-HMAC-SHA256\n07c550e52fbcd376a73688f575cc566417ef37c85004908f816d40590866ce63")
        #expect(AlibabaV3Signer.signature(stringToSign: toSign, secret: Self.secret)
            == "d83ef2a85ab7f910fe02b1b8430ebb7d6e7d819cb1b73e5341428ad7d480e81e")

        let signer = AlibabaV3Signer(accessKeyId: Self.accessKeyId, accessKeySecret: Self.secret)
        let signed = signer.sign(
            method: "POST", host: "ebs.cn-hangzhou.aliyuncs.com", action: "DescribeDiskReplicaPairs", version: "2021-07-30",
            query: query, date: Self.date("2026-01-15T08:30:00Z"), nonce: "3f1b2c4d5e6f708192a3b4c5d6e7f809")
        #expect(signed.first { $0.name == "Authorization" }?.value == """
            ACS3-HMAC-SHA256 Credential=LTAI5tTESTAKIDexample,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=d83ef2a85ab7f910fe02b1b8430ebb7d6e7d819cb1b73e5341428ad7d480e81e
            """)
    }

    /// V3 #4 of the notes gives the SDK's signed header set but not the pinned date, nonce and
    /// user agent, so only its shape can be checked: the SDK's extra headers are signed too.
    @Test func v3SignsExtraHeadersLikeTheSDK() {
        let signer = AlibabaV3Signer(accessKeyId: Self.accessKeyId, accessKeySecret: Self.secret, securityToken: Self.stsToken)
        let signed = signer.sign(
            method: "POST", host: "ebs.cn-shanghai.aliyuncs.com", action: "StartDiskReplicaPair", version: "2021-07-30",
            query: [("ClientToken", "tok-0001"), ("OneShot", "True"), ("RegionId", "cn-shanghai"), ("ReplicaPairId", "pair-cn-dsa1234")],
            extraHeaders: [("accept", "application/json"), ("user-agent", "drgw/0.1"), ("x-acs-credentials-provider", "static_ak")],
            date: Self.date("2026-01-15T08:32:10Z"), nonce: "n1")
        let authorization = signed.first { $0.name == "Authorization" }!.value
        #expect(authorization.contains(
            "SignedHeaders=accept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version,"))
        let again = signer.sign(
            method: "POST", host: "ebs.cn-shanghai.aliyuncs.com", action: "StartDiskReplicaPair", version: "2021-07-30",
            query: [("ClientToken", "tok-0001"), ("OneShot", "True"), ("RegionId", "cn-shanghai"), ("ReplicaPairId", "pair-cn-dsa1234")],
            extraHeaders: [("accept", "application/json"), ("user-agent", "drgw/0.1"), ("x-acs-credentials-provider", "static_ak")],
            date: Self.date("2026-01-15T08:32:10Z"), nonce: "n2")
        #expect(again.first { $0.name == "Authorization" }!.value != authorization)
    }

    @Test func verifierAcceptsBothVersionsAndRefusesTampering() throws {
        let verifier = AlibabaSignatureVerifier { $0 == Self.accessKeyId ? Self.secret : nil }
        let query: [(name: String, value: String)] = [("RegionId", "cn-shanghai"), ("PairId", "pair-1")]
        let v3 = AlibabaV3Signer(accessKeyId: Self.accessKeyId, accessKeySecret: Self.secret).sign(
            method: "POST", host: "127.0.0.1:9", action: "StartPairDrill", version: "2021-07-30", query: query,
            extraHeaders: [("accept", "application/json")], date: Self.date("2026-01-15T08:30:00Z"), nonce: "abc")
        let ok = try verifier.verify(method: "POST", path: "/", query: query, headers: v3, body: []).get()
        #expect(ok.version == "v3" && ok.action == "StartPairDrill" && ok.nonce == "abc")
        let tampered = verifier.verify(method: "POST", path: "/", query: [("RegionId", "cn-hangzhou"), ("PairId", "pair-1")], headers: v3, body: [])
        #expect(throws: AlibabaSignatureVerifier.Failure.self) { try tampered.get() }
        if case .failure(let f) = tampered { #expect(f.code == "SignatureDoesNotMatch") }

        let v1 = AlibabaV1Signer(accessKeyId: Self.accessKeyId, accessKeySecret: Self.secret).sign(
            method: "POST", action: "StartPairDrill", version: "2021-07-30", parameters: query,
            date: Self.date("2026-01-15T08:30:00Z"), nonce: "def")
        let ok1 = try verifier.verify(method: "POST", path: "/", query: v1, headers: [], body: []).get()
        #expect(ok1.version == "v1" && ok1.nonce == "def")
        let wrongMethod = verifier.verify(method: "GET", path: "/", query: v1, headers: [], body: [])
        if case .failure(let f) = wrongMethod { #expect(f.code == "SignatureDoesNotMatch") } else { Issue.record("accepted") }
        let wrongKey = AlibabaSignatureVerifier { _ in "other" }.verify(method: "POST", path: "/", query: v1, headers: [], body: [])
        if case .failure(let f) = wrongKey { #expect(f.code == "SignatureDoesNotMatch") } else { Issue.record("accepted") }
    }
}
