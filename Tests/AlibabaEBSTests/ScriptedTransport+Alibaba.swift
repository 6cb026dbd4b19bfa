import DRGWCore
import DRGWTesting

/// Canned Alibaba answers for the scripted transport.
extension ScriptedTransport {
    static let drills = json(#"{"RequestId":"r","Drills":[{"DrillId":"drill-1","Status":"executed","StartAt":1768465800}]}"#)
    static let pairs = json(
        #"{"RequestId":"r","ReplicaPairs":[{"ReplicaPairId":"pair-1","Status":"normal","SourceRegion":"cn-shanghai","DestinationRegion":"cn-hangzhou"}]}"#)
}
