import Testing

@testable import DRGWServer

@Suite("Edge middleware helpers")
struct EdgeMiddlewareTests {
    @Test func durationsRenderWithTwoDecimals() {
        #expect(EdgeMiddleware.milliseconds(0) == "0.00")
        #expect(EdgeMiddleware.milliseconds(0.0123456) == "12.35")
        #expect(EdgeMiddleware.milliseconds(0.00005) == "0.05")
        #expect(EdgeMiddleware.milliseconds(1.5) == "1500.00")
        #expect(EdgeMiddleware.milliseconds(-1) == "0.00")
    }

    @Test func requestIdsFromClientsAreKeptOnlyWhenSafe() {
        #expect(EdgeMiddleware.requestId(from: "abc-123:x.y_z") == "abc-123:x.y_z")
        let fresh = EdgeMiddleware.requestId(from: "bad id\n")
        #expect(fresh != "bad id\n")
        #expect(fresh.count == 36)
        #expect(EdgeMiddleware.requestId(from: String(repeating: "a", count: 129)).count == 36)
    }
}
