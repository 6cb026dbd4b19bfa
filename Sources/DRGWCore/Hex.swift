import Crypto
import Foundation

/// Small hashing helpers shared by signers and fingerprints.
public enum Digest {
    /// Lowercase hex of bytes.
    public static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lowercase hex SHA-256 of nothing (the payload hash of every body-less request).
    public static let emptySHA256Hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// Lowercase hex SHA-256.
    public static func sha256Hex(_ bytes: some DataProtocol) -> String {
        if bytes.isEmpty { return emptySHA256Hex }
        return hex(SHA256.hash(data: bytes))
    }

    public static func sha256Hex(_ string: String) -> String {
        sha256Hex(Array(string.utf8))
    }

    /// Lowercase hex HMAC-SHA256.
    public static func hmacSHA256Hex(key: [UInt8], message: String) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: key)))
    }

    /// Compares two byte strings in time independent of where they differ.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
