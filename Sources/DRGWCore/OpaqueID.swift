import Foundation

/// URL-safe opaque ids that carry several provider ids (e.g. an Alibaba drill needs its pair id too).
public enum OpaqueID {
    /// Joins parts with a prefix: `prefix_` + base64url("a\u{1F}b").
    public static func encode(prefix: String, parts: [String]) -> String {
        let joined = parts.joined(separator: "\u{1F}")
        let b64 = Data(joined.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "\(prefix)_\(b64)"
    }

    /// The parts of an id made by `encode`, or nil when it is not one.
    public static func decode(prefix: String, id: String) -> [String]? {
        guard id.hasPrefix(prefix + "_") else { return nil }
        var b64 = String(id.dropFirst(prefix.count + 1))
            .replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard let data = Data(base64Encoded: b64), let text = String(data: data, encoding: .utf8) else { return nil }
        return text.components(separatedBy: "\u{1F}")
    }

    /// A random id with a prefix, e.g. `op_3f9c…` (128 bits, hex).
    public static func random(prefix: String) -> String {
        prefix + "_" + RandomID.hex128()
    }
}
