import DRGWCore
@testable import DRGWServer
import Testing

@Suite("Problem mapping of errors that are not problems")
struct ProblemMappingTests {
    @Test func aCancelledRequestIsRetryableUnavailabilityNotAnInternalError() {
        let problem = ProblemResponse.problem(for: CancellationError())
        #expect(problem.status == 503)
        #expect(problem.code == "upstream_unavailable")
        #expect(problem.retryable)
        #expect(problem.retryAfter == 1)
    }

    @Test func anUnknownErrorStaysInternal() {
        struct Unexpected: Error {}
        let problem = ProblemResponse.problem(for: Unexpected())
        #expect(problem.status == 500)
        #expect(problem.code == "internal")
    }
}
