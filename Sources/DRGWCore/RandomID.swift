/// Random identifiers from the kernel's generator (`getrandom`, through `RandomPool`), formatted
/// without Foundation: Foundation's `UUID()` opens `/dev/urandom` on every call on Linux.
public enum RandomID {
    /// 16 random bytes.
    public static func bytes128() -> [UInt8] {
        RandomPool.shared.bytes(16)
    }

    /// 32 lowercase hex digits (128 random bits).
    public static func hex128() -> String {
        Digest.hex(bytes128())
    }

    /// A lowercase RFC 9562 version 4 UUID, `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`.
    public static func uuid() -> String {
        var bytes = bytes128()
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = Array(Digest.hex(bytes).utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (i, c) in hex.enumerated() {
            if i == 8 || i == 12 || i == 16 || i == 20 { out.append(UInt8(ascii: "-")) }
            out.append(c)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
