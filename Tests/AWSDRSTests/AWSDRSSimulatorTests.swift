import DRGWCore
import DRGWTesting
import DRGWTransport
import Foundation
import Testing

@testable import AWSDRS
@testable import AWSDRSSimulation

/// The DRS simulator over real HTTP on 127.0.0.1 (requests signed with the adapter's SigV4 signer),
/// and its world with the clock passed in.
@Suite struct AWSDRSSimulatorTests {
    static let accessKey = "AKIDSIMULATORTEST001"
    static let secretKey = "simulatorSecretKey/0123456789abcdefghijkl"

    /// One answer of the simulator.
    struct Answer {
        var response: UpstreamResponse

        var status: Int { response.status }
        var errorType: String? { response.header("x-amzn-ErrorType") }
        var requestId: String? { response.header("x-amzn-RequestId") }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:] }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try JSONDecoder().decode(type, from: Data(response.body))
        }
    }

    /// A running simulator and a client of it.
    struct Wire {
        let simulator: AWSDRSSimulator
        let port: Int
        let transport: CurlTransport

        /// `POST /{operation}` with `body` (JSON), signed unless `signed` is false.
        func call(
            _ operation: String, _ body: [String: Any] = [:], accessKey: String = AWSDRSSimulatorTests.accessKey,
            secretKey: String = AWSDRSSimulatorTests.secretKey, sessionToken: String? = nil, date: Date = Date(), signed: Bool = true,
            addedAfterSigning: [(name: String, value: String)] = []
        ) async throws -> Answer {
            try await send(
                "POST", "/\(operation)", Array(try JSONSerialization.data(withJSONObject: body)), accessKey: accessKey, secretKey: secretKey,
                sessionToken: sessionToken, date: date, signed: signed, addedAfterSigning: addedAfterSigning)
        }

        func send(
            _ method: String, _ path: String, _ body: [UInt8], accessKey: String = AWSDRSSimulatorTests.accessKey,
            secretKey: String = AWSDRSSimulatorTests.secretKey, sessionToken: String? = nil, date: Date = Date(), signed: Bool = true,
            addedAfterSigning: [(name: String, value: String)] = []
        ) async throws -> Answer {
            var headers: [(name: String, value: String)] = [("Host", "127.0.0.1:\(port)"), ("Content-Type", "application/json")]
            if signed {
                let signer = AWSSigV4Signer(
                    accessKey: accessKey, secretKey: secretKey, sessionToken: sessionToken, region: "us-east-1", service: "drs")
                headers = signer.sign(method: method, path: path, query: [], headers: headers, body: body, date: date)
            }
            headers += addedAfterSigning
            let response = try await transport.send(
                UpstreamRequest(method: method, url: "http://127.0.0.1:\(port)\(path)", headers: headers, body: body))
            return Answer(response: response)
        }

        func job(_ id: String) async throws -> DRSWire.Job {
            let answer = try await call("DescribeJobs", ["filters": ["jobIDs": [id]]])
            #expect(answer.status == 200)
            return try #require(try answer.decode(DRSWire.DescribeJobsResponse.self).items?.first)
        }
    }

    /// Runs a simulator on 127.0.0.1 port 0 for `body`, then stops it gracefully (see GracefulTask).
    static func withSimulator<T>(
        jobSeconds: Double = 0, _ configure: (inout SimulatorOptions) -> Void = { _ in }, _ body: (Wire) async throws -> T
    ) async throws -> T {
        var options = SimulatorOptions(port: 0, accessKey: accessKey, secretKey: secretKey, jobSeconds: jobSeconds, randomSeed: 11)
        configure(&options)
        let simulator = AWSDRSSimulatorPlugin.makeSimulator(options: options) as! AWSDRSSimulator
        return try await GracefulTask.withServer({ try await simulator.run(onReady: $0) }) { port in
            let transport = CurlTransport(userAgent: "drgw-tests/0.1")
            defer { transport.shutdown() }
            return try await body(Wire(simulator: simulator, port: port, transport: transport))
        }
    }

    // MARK: Over HTTP

    @Test func refusedSignaturesAnswer403WithTheErrorType() async throws {
        try await Self.withSimulator { wire in
            let unsigned = try await wire.call("DescribeSourceServers", signed: false)
            #expect(unsigned.status == 403)
            #expect(unsigned.errorType == "MissingAuthenticationTokenException")
            #expect(unsigned.requestId?.isEmpty == false)
            #expect(unsigned.response.header("Content-Type") == "application/json")
            #expect(unsigned.json["code"] as? String == "MissingAuthenticationTokenException")
            #expect(unsigned.json["message"] as? String == "Missing Authentication Token")

            let wrongSecret = try await wire.call("DescribeSourceServers", secretKey: "not-the-secret")
            #expect(wrongSecret.status == 403)
            #expect(wrongSecret.errorType == "InvalidSignatureException")
            #expect((wrongSecret.json["message"] as? String)?.hasPrefix("The request signature we calculated does not match") == true)

            let stranger = try await wire.call("DescribeSourceServers", accessKey: "AKIDSOMEONEELSE00001")
            #expect(stranger.status == 403)
            #expect(stranger.errorType == "UnrecognizedClientException")

            let stale = try await wire.call("DescribeSourceServers", date: Date().addingTimeInterval(-600))
            #expect(stale.status == 403)
            #expect(stale.errorType == "InvalidSignatureException")
            #expect((stale.json["message"] as? String)?.hasPrefix("Signature expired: ") == true)

            let temporary = try await wire.call("DescribeSourceServers", sessionToken: "FQoGZXIvYXdzEXAMPLE//token+=")
            #expect(temporary.status == 200)
            #expect(temporary.requestId?.isEmpty == false)
            let unsignedToken = try await wire.call(
                "DescribeSourceServers", addedAfterSigning: [("X-Amz-Security-Token", "FQoGZXIvYXdzEXAMPLE//token+=")])
            #expect(unsignedToken.status == 403)
            #expect(unsignedToken.errorType == "InvalidSignatureException")

            let log = wire.simulator.requestLog.all
            #expect(log.map(\.action) == Array(repeating: "DescribeSourceServers", count: 6))
            #expect(log.map(\.status) == [403, 403, 403, 403, 200, 403])
        }
    }

    @Test func drillLaunchesThenTerminates() async throws {
        try await Self.withSimulator { wire in
            let servers = try await wire.call("DescribeSourceServers").decode(DRSWire.DescribeSourceServersResponse.self).items ?? []
            #expect(servers.compactMap(\.sourceServerID) == wire.simulator.sourceServerIds)
            let ids = Array(wire.simulator.sourceServerIds.prefix(2))

            let start = try await wire.call(
                "StartRecovery", ["sourceServers": ids.map { ["sourceServerID": $0] }, "isDrill": true, "tags": ["drill": "d1"]])
            #expect(start.status == 202)
            let started = try #require(try start.decode(DRSWire.JobEnvelope.self).job)
            #expect(started.status == "PENDING")
            #expect(started.type == "LAUNCH")
            #expect(started.initiatedBy == "START_DRILL")
            #expect(started.arn == "arn:aws:drs:us-east-1:111122223333:job/\(started.jobID)")
            #expect(started.participatingServers?.map(\.launchStatus) == ["PENDING", "PENDING"])

            // With jobSeconds 0 the job has completed by the next request.
            let done = try await wire.job(started.jobID)
            #expect(done.status == "COMPLETED")
            #expect(done.endDateTime != nil)
            #expect(done.participatingServers?.map(\.launchStatus) == ["LAUNCHED", "LAUNCHED"])
            let instanceIds = done.participatingServers?.compactMap(\.recoveryInstanceID) ?? []
            #expect(instanceIds.count == 2)
            #expect(instanceIds.allSatisfy { (try? #/i-[0-9a-f]{17}/#.wholeMatch(in: $0)) != nil })

            let log = try await wire.call("DescribeJobLogItems", ["jobID": started.jobID]).decode(DRSWire.DescribeJobLogItemsResponse.self)
            #expect(
                log.items?.compactMap(\.event) == ["JOB_START", "LAUNCH_START", "LAUNCH_START", "CONVERSION_END", "CONVERSION_END", "JOB_END"])

            let instances = try await wire.call("DescribeRecoveryInstances", ["filters": ["sourceServerIDs": ids]])
                .decode(DRSWire.DescribeRecoveryInstancesResponse.self).items ?? []
            #expect(instances.compactMap(\.recoveryInstanceID) == instanceIds)
            #expect(instances.allSatisfy { $0.isDrill == true && $0.ec2InstanceState == "RUNNING" && $0.tags == ["drill": "d1"] })
            let server = try await wire.call("DescribeSourceServers", ["filters": ["sourceServerIDs": [ids[0]]]])
                .decode(DRSWire.DescribeSourceServersResponse.self).items?.first
            #expect(server?.lastLaunchResult == "SUCCEEDED")
            #expect(server?.recoveryInstanceId == instanceIds[0])

            let terminate = try await wire.call("TerminateRecoveryInstances", ["recoveryInstanceIDs": instanceIds])
            #expect(terminate.status == 200)
            let ending = try #require(try terminate.decode(DRSWire.JobEnvelope.self).job)
            #expect(ending.type == "TERMINATE")
            #expect(ending.initiatedBy == "TERMINATE_RECOVERY_INSTANCES")
            #expect(ending.participatingServers?.compactMap(\.recoveryInstanceID) == instanceIds)
            let ended = try await wire.job(ending.jobID)
            #expect(ended.status == "COMPLETED")
            #expect(ended.participatingServers?.map(\.launchStatus) == ["TERMINATED", "TERMINATED"])
            let left = try await wire.call("DescribeRecoveryInstances").decode(DRSWire.DescribeRecoveryInstancesResponse.self)
            #expect(left.items?.isEmpty == true)

            let jobs = try await wire.call("DescribeJobs").decode(DRSWire.DescribeJobsResponse.self).items ?? []
            #expect(jobs.map(\.jobID) == [ending.jobID, started.jobID])
        }
    }

    @Test func errorsHaveTheModelShape() async throws {
        try await Self.withSimulator(jobSeconds: 60) { wire in
            let missingPlan = "arn:aws:drs:us-east-1:111122223333:recovery-plan/rp-00000000000000000"
            let notFound = try await wire.call("GetRecoveryPlan", ["recoveryPlanArn": missingPlan])
            #expect(notFound.status == 404)
            #expect(notFound.errorType == "ResourceNotFoundException")
            #expect(notFound.json["code"] as? String == "ResourceNotFoundException")
            #expect(notFound.json["resourceId"] as? String == missingPlan)
            #expect(notFound.json["resourceType"] as? String == "RECOVERY_PLAN")
            #expect(notFound.requestId?.isEmpty == false)

            let missingMember = try await wire.call("StartRecovery", [:])
            #expect(missingMember.status == 400)
            #expect(missingMember.errorType == "ValidationException")
            #expect(missingMember.json["reason"] as? String == "fieldValidationFailed")
            #expect((missingMember.json["fieldList"] as? [[String: String]])?.first?["name"] == "sourceServers")

            let garbage = try await wire.send("POST", "/DescribeJobs", Array("{not json".utf8))
            #expect(garbage.status == 400)
            #expect(garbage.json["reason"] as? String == "cannotParse")

            let unknownServer = try await wire.call("StartRecovery", ["sourceServers": [["sourceServerID": "s-0000000000000000a"]]])
            #expect(unknownServer.status == 400)
            #expect(unknownServer.errorType == "ValidationException")

            let server = wire.simulator.sourceServerIds[2]
            #expect(try await wire.call("StartRecovery", ["sourceServers": [["sourceServerID": server]]]).status == 202)
            let busy = try await wire.call("StartRecovery", ["sourceServers": [["sourceServerID": server]], "isDrill": true])
            #expect(busy.status == 409)
            #expect(busy.errorType == "ConflictException")
            #expect(busy.json["resourceId"] as? String == server)

            let unknownInstance = try await wire.call("TerminateRecoveryInstances", ["recoveryInstanceIDs": ["i-00000000000000000"]])
            #expect(unknownInstance.status == 400)
            #expect(unknownInstance.errorType == "ValidationException")
            let noInstance = try await wire.call("ReverseReplication", ["recoveryInstanceID": "i-00000000000000000"])
            #expect(noInstance.status == 404)
            #expect(noInstance.errorType == "ResourceNotFoundException")

            let created = try await wire.call("CreateRecoveryPlan", ["name": "plan-a", "clientToken": "token-1"])
            #expect(created.status == 201)
            let replay = try await wire.call("CreateRecoveryPlan", ["name": "plan-a", "clientToken": "token-1"])
            #expect(try replay.decode(DRSWire.RecoveryPlanEnvelope.self) == created.decode(DRSWire.RecoveryPlanEnvelope.self))
            let reused = try await wire.call("CreateRecoveryPlan", ["name": "plan-b", "clientToken": "token-1"])
            #expect(reused.status == 409)
            #expect(reused.errorType == "ConflictException")

            let unknownOperation = try await wire.call("LaunchEverything")
            #expect(unknownOperation.status == 404)
            #expect(unknownOperation.errorType == "UnknownOperationException")
            let wrongMethod = try await wire.send("GET", "/DescribeJobs", [])
            #expect(wrongMethod.status == 404)
            #expect(wire.simulator.requestLog.all.suffix(2).map(\.action) == ["unknown", "unknown"])
        }
    }

    @Test func failJobsCompleteWithFailedLaunches() async throws {
        try await Self.withSimulator({ $0.failJobs = true }) { wire in
            let server = wire.simulator.sourceServerIds[0]
            let job = try #require(
                try await wire.call("StartRecovery", ["sourceServers": [["sourceServerID": server]], "isDrill": true])
                    .decode(DRSWire.JobEnvelope.self).job)
            let done = try await wire.job(job.jobID)
            #expect(done.status == "COMPLETED")
            #expect(done.participatingServers?.map(\.launchStatus) == ["FAILED"])
            #expect(done.participatingServers?.first?.recoveryInstanceID == nil)
            let log = try await wire.call("DescribeJobLogItems", ["jobID": job.jobID]).decode(DRSWire.DescribeJobLogItemsResponse.self)
            let failure = log.items?.first { $0.event == "LAUNCH_FAILED" }
            #expect(failure?.eventData?.sourceServerID == server)
            #expect(failure?.eventData?.rawError?.isEmpty == false)
            let instances = try await wire.call("DescribeRecoveryInstances").decode(DRSWire.DescribeRecoveryInstancesResponse.self)
            #expect(instances.items?.isEmpty == true)
            let after = try await wire.call("DescribeSourceServers", ["filters": ["sourceServerIDs": [server]]])
                .decode(DRSWire.DescribeSourceServersResponse.self).items?.first
            #expect(after?.lastLaunchResult == "FAILED")
        }
    }

    @Test func phantomDeletesLeaveInstancesRunning() async throws {
        try await Self.withSimulator({ $0.phantomDeletes = true }) { wire in
            let server = wire.simulator.sourceServerIds[1]
            let launch = try #require(
                try await wire.call("StartRecovery", ["sourceServers": [["sourceServerID": server]], "isDrill": true])
                    .decode(DRSWire.JobEnvelope.self).job)
            let instance = try #require(try await wire.job(launch.jobID).participatingServers?.first?.recoveryInstanceID)
            let terminate = try #require(
                try await wire.call("TerminateRecoveryInstances", ["recoveryInstanceIDs": [instance]]).decode(DRSWire.JobEnvelope.self).job)
            let ended = try await wire.job(terminate.jobID)
            #expect(ended.status == "COMPLETED")
            #expect(ended.participatingServers?.map(\.launchStatus) == ["TERMINATED"])
            let still = try await wire.call("DescribeRecoveryInstances", ["filters": ["recoveryInstanceIDs": [instance]]])
                .decode(DRSWire.DescribeRecoveryInstancesResponse.self).items ?? []
            #expect(still.map(\.ec2InstanceState) == ["RUNNING"])
        }
    }

    @Test func seedFollowsTheModelPatterns() async throws {
        try await Self.withSimulator { wire in
            let simulator = wire.simulator
            #expect(simulator.sourceServerIds.count == 3)
            #expect(simulator.sourceServerIds.allSatisfy { (try? #/s-[0-9a-zA-Z]{17}/#.wholeMatch(in: $0)) != nil })
            #expect((try? #/rp-[0-9a-zA-Z]{17}/#.wholeMatch(in: simulator.seedPlanId)) != nil)
            #expect(simulator.seedPlanArn == "arn:aws:drs:us-east-1:111122223333:recovery-plan/\(simulator.seedPlanId)")
            let summary = simulator.seedSummary.joined(separator: "\n")
            #expect(summary.contains(simulator.seedPlanId))
            #expect(simulator.sourceServerIds.allSatisfy(summary.contains))

            let plan = try await wire.call("GetRecoveryPlan", ["recoveryPlanArn": simulator.seedPlanArn]).decode(DRSWire.RecoveryPlanEnvelope.self)
            #expect(plan.recoveryPlan.name == "seed-recovery-plan")
            #expect(plan.recoveryPlan.status == "ACTIVE")
            #expect((try? #/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/#.wholeMatch(in: plan.recoveryPlan.createdAt)) != nil)
            let steps = try await wire.call("ListRecoveryPlanSteps", ["recoveryPlanArn": simulator.seedPlanArn])
                .decode(DRSWire.ListRecoveryPlanStepsResponse.self).recoveryPlanSteps
            #expect(steps.map(\.stepName) == ["app-tier"])
            #expect(steps.first?.configuration.serverStepConfiguration?.servers.map(\.serverArn) == Array(simulator.sourceServerArns.prefix(2)))
        }
    }

    // MARK: The world, with the clock passed in

    @Test func jobsMoveWithTheClock() throws {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        var world = DRSSimulatorWorld(region: "eu-west-1", jobSeconds: 3, seed: 5, now: t0)
        world.drillSeconds = 6
        let server = world.sourceServerIds[0]
        let drill = try world.startRecovery(.init(sourceServers: [.init(sourceServerID: server)], isDrill: true), now: t0)
        #expect(drill.status == "PENDING")
        #expect(drill.creationDateTime == Timestamp.rfc3339(t0))
        #expect(world.servers[server]?.wire.lastLaunchResult == "PENDING")

        world.advance(now: t0.addingTimeInterval(1.9))
        #expect(world.jobs[drill.jobID]?.wire.status == "PENDING")
        world.advance(now: t0.addingTimeInterval(2))
        #expect(world.jobs[drill.jobID]?.wire.status == "STARTED")
        #expect(world.jobs[drill.jobID]?.wire.participatingServers?.map(\.launchStatus) == ["IN_PROGRESS"])
        world.advance(now: t0.addingTimeInterval(5.9))
        #expect(world.jobs[drill.jobID]?.wire.status == "STARTED")
        world.advance(now: t0.addingTimeInterval(6))
        let done = try #require(world.jobs[drill.jobID]?.wire)
        #expect(done.status == "COMPLETED")
        #expect(done.endDateTime == Timestamp.rfc3339(t0.addingTimeInterval(6)))
        let instance = try #require(done.participatingServers?.first?.recoveryInstanceID)
        #expect(world.instances[instance]?.wire.isDrill == true)
        #expect(world.instances[instance]?.wire.arn == "arn:aws:drs:eu-west-1:111122223333:recovery-instance/\(instance)")

        // A recovery takes jobSeconds; reversing its instance turns the server to FAILBACK.
        let t1 = t0.addingTimeInterval(10)
        let recovery = try world.startRecovery(.init(sourceServers: [.init(sourceServerID: server)]), now: t1)
        #expect(recovery.initiatedBy == "START_RECOVERY")
        #expect(throws: DRSFault.self) { try world.startRecovery(.init(sourceServers: [.init(sourceServerID: server)]), now: t1) }
        world.advance(now: t1.addingTimeInterval(3))
        let recovered = try #require(world.jobs[recovery.jobID]?.wire.participatingServers?.first?.recoveryInstanceID)
        #expect(throws: DRSFault.self) { try world.reverseReplication(.init(recoveryInstanceID: instance)) }
        let reversed = try world.reverseReplication(.init(recoveryInstanceID: recovered)).reversedDirectionSourceServerArn
        #expect(reversed?.hasPrefix("arn:aws:drs:eu-west-1:111122223333:source-server/s-") == true)
        #expect(try world.reverseReplication(.init(recoveryInstanceID: recovered)).reversedDirectionSourceServerArn == reversed)
        #expect(world.servers[server]?.wire.replicationDirection == "FAILBACK")

        // Terminating: shutting down at once, gone when the job completes.
        let t2 = t1.addingTimeInterval(10)
        let terminate = try world.terminateRecoveryInstances(.init(recoveryInstanceIDs: [instance]), now: t2)
        #expect(world.instances[instance]?.wire.ec2InstanceState == "SHUTTING-DOWN")
        world.advance(now: t2.addingTimeInterval(2.9))
        #expect(world.instances[instance] != nil)
        world.advance(now: t2.addingTimeInterval(3))
        #expect(world.instances[instance] == nil)
        #expect(world.jobs[terminate.jobID]?.wire.participatingServers?.map(\.launchStatus) == ["TERMINATED"])
        #expect(world.instances[recovered]?.wire.ec2InstanceState == "RUNNING")
    }

    @Test func pagesResumeAfterTheListGrows() throws {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        var world = DRSSimulatorWorld(region: "us-east-1", jobSeconds: 0, seed: 9, now: t0)
        var started: [String] = []
        for (index, server) in world.sourceServerIds.enumerated() {
            let job = try world.startRecovery(
                .init(sourceServers: [.init(sourceServerID: server)], isDrill: true), now: t0.addingTimeInterval(Double(index)))
            started.append(job.jobID)
        }
        let first = try world.describeJobs(.init(maxResults: 2))
        #expect(first.items?.map(\.jobID) == [started[2], started[1]])
        let token = try #require(first.nextToken)
        // A newer job arrives between the two pages: the second page neither repeats nor skips.
        _ = try world.startRecovery(.init(sourceServers: [.init(sourceServerID: world.sourceServerIds[0])]), now: t0.addingTimeInterval(5))
        let second = try world.describeJobs(.init(maxResults: 2, nextToken: token))
        #expect(second.items?.map(\.jobID) == [started[0]])
        #expect(second.nextToken == nil)

        let since = try world.describeJobs(.init(filters: .init(fromDate: "2027-01-15T08:00:01Z", toDate: "2027-01-15T08:00:02.000Z")))
        #expect(since.items?.map(\.jobID) == [started[2], started[1]])
        #expect(throws: DRSFault.self) { try world.describeJobs(.init(nextToken: "not-a-token")) }
        #expect(throws: DRSFault.self) { try world.describeJobs(.init(maxResults: 0)) }
    }
}
