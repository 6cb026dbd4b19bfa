import DRGWCore
@testable import DRGWServer
import Foundation
import Logging
import Testing

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    @Test func aLineIsOneJSONObjectWithEscapesAndRedaction() throws {
        let redactor = Redactor()
        redactor.register(["s3cr3t-value"])
        var handler = JSONLogHandler(label: "drgw", redactor: redactor)
        handler[metadataKey: "request_id"] = "r-1"
        let event = LogEvent(
            level: .info, message: "quote \" backslash \\ newline \n tab \t bell \u{7} key s3cr3t-value",
            metadata: ["auth": "SDK-HMAC-SHA256 Access=AK, Signature=abc", "n": .stringConvertible(3)],
            source: "t", file: #fileID, function: #function, line: #line
        )
        let line = handler.render(event)
        #expect(line.last == 0x0A)
        #expect(!line.dropLast().contains(0x0A))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        #expect(object["level"] as? String == "info")
        #expect(object["logger"] as? String == "drgw")
        #expect(object["request_id"] as? String == "r-1")
        #expect(object["n"] as? String == "3")
        #expect(object["msg"] as? String == "quote \" backslash \\ newline \n tab \t bell \u{7} key [redacted]")
        #expect(object["auth"] as? String == "[redacted]")
        #expect(Timestamp.parseRFC3339(object["ts"] as? String ?? "") != nil)
    }
}
