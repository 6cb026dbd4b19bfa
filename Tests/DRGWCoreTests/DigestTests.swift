import Crypto
import DRGWCore
import Testing

@Suite struct DigestTests {
    @Test func emptyPayloadConstantIsTheHashOfNothing() {
        let computed = SHA256.hash(data: [UInt8]()).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        #expect(Digest.emptySHA256Hex == computed)
        #expect(Digest.sha256Hex([UInt8]()) == computed)
    }

    @Test func hexIsLowercaseTwoDigitsPerByte() {
        #expect(Digest.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(Digest.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
