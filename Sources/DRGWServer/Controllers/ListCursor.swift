import DRGWCore

/// The `nextCursor` a list answers and takes back. Stores and clouds page in their own ways
/// (a row number, an offset, Alibaba's `NextToken`); the client sees one opaque token and cannot
/// build one by hand, so a later change of the paging below does not break scripts in between.
enum ListCursor {
    static let prefix = "c1"

    static func encode(_ raw: String) -> String {
        OpaqueID.encode(prefix: prefix, parts: [raw])
    }

    /// The raw cursor, or nil when `text` is not one this gateway issued.
    static func decode(_ text: String) -> String? {
        guard let parts = OpaqueID.decode(prefix: prefix, id: text), parts.count == 1, !parts[0].isEmpty else { return nil }
        return parts[0]
    }
}

extension Page {
    /// The page as answered: its cursor made opaque.
    var answered: Page {
        Page(items: items, nextCursor: nextCursor.map(ListCursor.encode))
    }
}
