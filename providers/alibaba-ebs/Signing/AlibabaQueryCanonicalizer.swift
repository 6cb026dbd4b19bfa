import DRGWCore

/// The query canonicalisation both Alibaba signature versions share.
enum AlibabaQueryCanonicalizer {
    /// Percent-encodes names and values, sorts by encoded name (then value) and joins `n=v` with `&`.
    static func canonicalize(_ parameters: [(name: String, value: String)]) -> String {
        var encoded: [(String, String)] = []
        encoded.reserveCapacity(parameters.count)
        for parameter in parameters {
            encoded.append((PercentEncoding.encode(parameter.name), PercentEncoding.encode(parameter.value)))
        }
        encoded.sort { (a: (String, String), b: (String, String)) -> Bool in
            if a.0 == b.0 { return a.1 < b.1 }
            return a.0 < b.0
        }
        var parts: [String] = []
        for (name, value) in encoded { parts.append(name + "=" + value) }
        return parts.joined(separator: "&")
    }
}
