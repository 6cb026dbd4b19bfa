import DRGWCore

extension ClientSession {
    /// Writes each page of a CSV list to stdout as it arrives, following the `Link: rel="next"`
    /// cursor; later pages' header lines are dropped, so the output is one CSV document.
    public func streamCSV(_ path: String, query: [(String, String)]) async throws(ClientFailure) {
        var cursor: String?
        var first = true
        repeat {
            var pageQuery = query + [("limit", "200")]
            if let cursor { pageQuery.append(("cursor", cursor)) }
            let reply = try await client.send("GET", path, query: pageQuery, accept: "text/csv")
            var body = reply.body[...]
            if !first, let newline = body.firstIndex(of: UInt8(ascii: "\n")) { body = body[(newline + 1)...] }
            console.out(bytes: Array(body))
            first = false
            cursor = reply.header("Link").flatMap(Self.nextCursor)
        } while cursor != nil
    }

    /// The `cursor` of a `<…?…&cursor=X>; rel="next"` link, decoded.
    static func nextCursor(_ link: String) -> String? {
        guard link.contains("rel=\"next\""), let open = link.firstIndex(of: "<"), let close = link.firstIndex(of: ">"), open < close,
            let query = link[link.index(after: open)..<close].split(separator: "?", maxSplits: 1).dropFirst().first
        else { return nil }
        return PercentEncoding.parseQuery(String(query)).first { $0.name == "cursor" }?.value
    }
}
