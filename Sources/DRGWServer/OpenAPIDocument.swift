import Foundation

/// The OpenAPI 3.1 document kept in the repo, served as is at `/openapi.json`.
enum OpenAPIDocument {
    static let bytes: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else { return Array("{\"openapi\":\"3.1.0\"}".utf8) }
        return Array(data)
    }()

    /// The document with `servers` naming `publicURL` instead of the relative `/`.
    static func bytes(publicURL: String?) -> [UInt8] {
        guard let publicURL else { return bytes }
        let text = String(decoding: bytes, as: UTF8.self)
        return Array(text.replacingOccurrences(of: #""url": "/","#, with: #""url": "\#(publicURL)","#).utf8)
    }
}
