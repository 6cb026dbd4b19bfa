import DRGWCore
import Foundation
import Testing

@testable import DRGWServer

@Suite("Upstream metric labels")
struct UpstreamCallLabelsTests {
    @Test func theAdaptersOperationNameWins() {
        let rpc = UpstreamRequest(
            method: "POST", url: "http://127.0.0.1:9/?Action=Other&ClientToken=abc", headers: [("x-acs-action", "Other")],
            operationName: "StartPairDrill")
        #expect(UpstreamCallLabels.action(of: rpc) == "StartPairDrill")
        // Without one, headers and query say nothing: the path template names the call.
        let unnamed = UpstreamRequest(method: "POST", url: "http://127.0.0.1:9/?Action=DescribeDiskReplicaGroups")
        #expect(UpstreamCallLabels.action(of: unnamed) == "POST /")
    }

    @Test func huaweiActionIsMethodAndPathTemplateWithoutIdsOrQuery() {
        let create = UpstreamRequest(method: "POST", url: "https://sdrs.example:443/v1/0605767a3300d5762fb7c0186d9e1779/disaster-recovery-drills")
        #expect(UpstreamCallLabels.action(of: create) == "POST /v1/{project}/disaster-recovery-drills")
        let delete = UpstreamRequest(
            method: "DELETE", url: "http://127.0.0.1:1/v1/p1/disaster-recovery-drills/40df180b-9fe2-471a-8c64-1b758dc84189")
        #expect(UpstreamCallLabels.action(of: delete) == "DELETE /v1/{project}/disaster-recovery-drills/{id}")
        let job = UpstreamRequest(method: "GET", url: "http://127.0.0.1:1/v1/p1/jobs/0a1b2c3d4e5f?limit=5&offset=0")
        #expect(UpstreamCallLabels.action(of: job) == "GET /v1/{project}/jobs/{id}")
        let action = UpstreamRequest(method: "POST", url: "http://127.0.0.1:1/v1/p1/server-groups/7c2f/action")
        #expect(UpstreamCallLabels.action(of: action) == "POST /v1/{project}/server-groups/{id}/action")
    }

    @Test func hostileActionValuesFallBackToThePathTemplate() {
        let request = UpstreamRequest(method: "POST", url: "http://127.0.0.1:9/?Action=Bad%22Label", operationName: "a b\"")
        #expect(UpstreamCallLabels.action(of: request) == "POST /")
    }

    @Test func outcomesByStatusClassAndError() {
        #expect(UpstreamCallLabels.outcome(status: 200) == "2xx")
        #expect(UpstreamCallLabels.outcome(status: 404) == "4xx")
        #expect(UpstreamCallLabels.outcome(status: 503) == "5xx")
        #expect(UpstreamCallLabels.outcome(error: TransportError(.connectFailed)) == "connect_failed")
        #expect(UpstreamCallLabels.outcome(error: TransportError(.reset)) == "reset")
        #expect(UpstreamCallLabels.outcome(error: Problem(.upstreamUnavailable, detail: "circuit open")) == "circuit_open")
        #expect(UpstreamCallLabels.outcome(error: CancellationError()) == "error")
    }
}
