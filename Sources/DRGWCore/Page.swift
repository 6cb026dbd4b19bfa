/// One page of a list answer; `nextCursor` is nil on the last page.
public struct Page<Item: Sendable & Codable>: Sendable, Codable {
    public var items: [Item]
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String? = nil) {
        self.items = items
        self.nextCursor = nextCursor
    }
}
