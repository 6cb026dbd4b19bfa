import DRGWCore
import Foundation
@testable import HuaweiSDRS
import Testing

/// The hand-written readers of the drill and job answers agree with the `Codable` forms.
@Suite struct SDRSWireReaderTests {
    private static func roundTrip<T: Codable & JSONReadable>(_ value: T) throws -> (fast: T, codable: T) {
        let bytes = Array(try SDRSJSON.encoder().encode(value))
        return (try T(json: JSONValue(parsing: bytes)), try SDRSJSON.decoder().decode(T.self, from: Data(bytes)))
    }

    @Test func drillListReadsLikeTheDecoder() throws {
        var rng = SeededGenerator(seed: 3)
        func text() -> String { String((0..<Int.random(in: 1...10, using: &rng)).map { _ in "ab\"\\/é中\n-_".randomElement(using: &rng)! }) }
        let drills = (0..<50).map { i in
            SDRSWire.DisasterRecoveryDrill(
                id: "d\(i)", name: text(), status: ["creating", "available", "error"].randomElement(using: &rng)!,
                drillVpcId: i % 2 == 0 ? text() : nil, createdAt: "2026-12-02 06:00:0\(i % 10).123",
                updatedAt: i % 3 == 0 ? nil : text(), serverGroupId: text(),
                drillServers: i % 4 == 0 ? nil : [SDRSWire.DrillServer(protectedInstance: text(), drillServerId: i % 5 == 0 ? nil : text())])
        }
        let list = SDRSWire.DrillList(disasterRecoveryDrills: drills, count: 50)
        let (fast, codable) = try Self.roundTrip(list)
        #expect(fast.disasterRecoveryDrills == codable.disasterRecoveryDrills)
        #expect(fast.count == codable.count)
        let one = try Self.roundTrip(SDRSWire.DrillEnvelope(disasterRecoveryDrill: drills[1]))
        #expect(one.fast.disasterRecoveryDrill == one.codable.disasterRecoveryDrill)
        #expect(try Self.roundTrip(SDRSWire.JobReference(jobId: "0a1b")).fast.jobId == "0a1b")
    }

    @Test func missingOrMistypedFieldsAreRefused() {
        let missingId = try! JSONValue(parsing: Array(#"{"disaster_recovery_drill":{"name":"x","status":"available"}}"#.utf8))
        #expect(throws: JSONFieldError.self) { try SDRSWire.DrillEnvelope(json: missingId) }
        let numericId = try! JSONValue(parsing: Array(#"{"disaster_recovery_drill":{"id":1,"name":"x","status":"a"}}"#.utf8))
        #expect(throws: JSONFieldError.self) { try SDRSWire.DrillEnvelope(json: numericId) }
        let serversObject = try! JSONValue(parsing: Array(#"{"disaster_recovery_drill":{"id":"a","name":"x","status":"a","drill_servers":{}}}"#.utf8))
        #expect(throws: JSONFieldError.self) { try SDRSWire.DrillEnvelope(json: serversObject) }
        let countText = try! JSONValue(parsing: Array(#"{"disaster_recovery_drills":[],"count":"3"}"#.utf8))
        #expect(throws: JSONFieldError.self) { try SDRSWire.DrillList(json: countText) }
        let noJob = try! JSONValue(parsing: Array(#"{"job":"x"}"#.utf8))
        #expect(throws: JSONFieldError.self) { try SDRSWire.JobReference(json: noJob) }
    }
}
