import Foundation

/// Input rules shared by the HTTP front and the adapters.
public enum Validation {
    /// Seed rule for drill and group names: 1–64 bytes of letters, digits, `.`, `_`, `-`;
    /// `allowCJK` also admits Chinese characters (Huawei).
    public static func nameErrors(_ name: String, field: String = "name", allowCJK: Bool = false) -> [FieldError] {
        if name.isEmpty { return [FieldError(field: field, message: "must not be empty")] }
        if name.utf8.count > 64 { return [FieldError(field: field, message: "must be at most 64 bytes")] }
        for scalar in name.unicodeScalars {
            let v = scalar.value
            let ascii = (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A)
                || v == 0x2E || v == 0x5F || v == 0x2D
            let cjk = allowCJK && v >= 0x4E00 && v <= 0x9FA5
            if !(ascii || cjk) {
                return [FieldError(field: field, message: "may contain only letters, digits, '.', '_' and '-'")]
            }
        }
        return []
    }

    /// Ids placed into upstream paths or queries: 1–128 characters of letters, digits, `-`, `_`, `.`, `:`,
    /// never `..`; anything else (slashes, percent signs, control characters) is refused.
    public static func idErrors(_ id: String, field: String) -> [FieldError] {
        if id.isEmpty || id.utf8.count > 128 {
            return [FieldError(field: field, message: "must be 1 to 128 characters")]
        }
        if ASCIIText.contains(id, "..") {
            return [FieldError(field: field, message: "must not contain '..'")]
        }
        for byte in id.utf8 {
            let ok = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x3A
            if !ok { return [FieldError(field: field, message: "may contain only letters, digits, '-', '_', '.' and ':'")] }
        }
        return []
    }

    /// Descriptions: at most 64 bytes, no `<` or `>` (Huawei's rule, applied to both providers).
    public static func descriptionErrors(_ text: String?, field: String = "description") -> [FieldError] {
        guard let text else { return [] }
        if text.utf8.count > 64 { return [FieldError(field: field, message: "must be at most 64 bytes")] }
        if text.utf8.contains(UInt8(ascii: "<")) || text.utf8.contains(UInt8(ascii: ">")) { return [FieldError(field: field, message: "must not contain '<' or '>'")] }
        return []
    }
}
