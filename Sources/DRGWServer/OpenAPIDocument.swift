import Foundation

/// The OpenAPI 3.1 document kept in the repo, served as is at `/openapi.json`.
enum OpenAPIDocument {
    static let bytes: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else { return Array("{\"openapi\":\"3.1.0\"}".utf8) }
        return Array(data)
    }()
}
