import DRGWCore
import Foundation

extension AlibabaRPCClient {
    /// The request id of an answer: the `x-acs-request-id` header, else the body's `RequestId`.
    static func requestId(of response: UpstreamResponse) -> String? {
        if let header = response.header("x-acs-request-id"), !header.isEmpty { return header }
        return (try? JSONDecoder().decode(AlibabaWire.RequestIdOnly.self, from: Data(response.body)))?.RequestId
    }
}
