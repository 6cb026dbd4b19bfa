import Crypto
import Foundation

/// Small hashing helpers shared by signers and fingerprints.
public enum Digest {
    /// Lowercase hex of bytes.
    public static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let table: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(table[Int(byte >> 4)])
            out.append(table[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Lowercase hex SHA-256.
    public static func sha256Hex(_ bytes: some DataProtocol) -> String {
        hex(SHA256.hash(data: bytes))
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
