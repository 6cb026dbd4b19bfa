import Foundation

/// The DRS shapes drgw uses, as botocore's service model (`drs/2020-02-26/service-2.json`) names
/// them: camelCase JSON members, optional unless the model requires them. The simulator builds
/// its answers from the same shapes.
public enum DRSWire {
    public typealias Tags = [String: String]

    // MARK: Jobs

    public struct Job: Codable, Sendable, Equatable {
        public var jobID: String
        public var arn: String?
        /// `LAUNCH`, `TERMINATE`, `CREATE_CONVERTED_SNAPSHOT`.
        public var type: String?
        /// `START_DRILL`, `START_RECOVERY`, `TERMINATE_RECOVERY_INSTANCES`, …
        public var initiatedBy: String?
        public var creationDateTime: String?
        public var endDateTime: String?
        /// `PENDING`, `STARTED`, `COMPLETED`.
        public var status: String?
        public var participatingServers: [ParticipatingServer]?
        public var tags: Tags?

        public init(
            jobID: String, arn: String? = nil, type: String? = nil, initiatedBy: String? = nil,
            creationDateTime: String? = nil, endDateTime: String? = nil, status: String? = nil,
            participatingServers: [ParticipatingServer]? = nil, tags: Tags? = nil
        ) {
            self.jobID = jobID
            self.arn = arn
            self.type = type
            self.initiatedBy = initiatedBy
            self.creationDateTime = creationDateTime
            self.endDateTime = endDateTime
            self.status = status
            self.participatingServers = participatingServers
            self.tags = tags
        }
    }

    public struct ParticipatingServer: Codable, Sendable, Equatable {
        public var sourceServerID: String?
        public var recoveryInstanceID: String?
        /// `PENDING`, `IN_PROGRESS`, `LAUNCHED`, `FAILED`, `TERMINATED`.
        public var launchStatus: String?

        public init(sourceServerID: String? = nil, recoveryInstanceID: String? = nil, launchStatus: String? = nil) {
            self.sourceServerID = sourceServerID
            self.recoveryInstanceID = recoveryInstanceID
            self.launchStatus = launchStatus
        }
    }

    public struct JobLog: Codable, Sendable, Equatable {
        public var logDateTime: String?
        /// `JOB_START`, `LAUNCH_START`, `LAUNCH_FAILED`, `JOB_END`, …
        public var event: String?
        public var eventData: JobLogEventData?

        public init(logDateTime: String? = nil, event: String? = nil, eventData: JobLogEventData? = nil) {
            self.logDateTime = logDateTime
            self.event = event
            self.eventData = eventData
        }
    }

    public struct JobLogEventData: Codable, Sendable, Equatable {
        public var sourceServerID: String?
        public var targetInstanceID: String?
        public var rawError: String?

        public init(sourceServerID: String? = nil, targetInstanceID: String? = nil, rawError: String? = nil) {
            self.sourceServerID = sourceServerID
            self.targetInstanceID = targetInstanceID
            self.rawError = rawError
        }
    }

    // MARK: Servers and recovery instances

    public struct SourceServer: Codable, Sendable, Equatable {
        public var sourceServerID: String?
        public var arn: String?
        public var tags: Tags?
        public var recoveryInstanceId: String?
        /// `NOT_STARTED`, `PENDING`, `SUCCEEDED`, `FAILED`.
        public var lastLaunchResult: String?
        public var dataReplicationInfo: DataReplicationInfo?
        /// `FAILOVER` or `FAILBACK`.
        public var replicationDirection: String?

        public init(
            sourceServerID: String? = nil, arn: String? = nil, tags: Tags? = nil, recoveryInstanceId: String? = nil,
            lastLaunchResult: String? = nil, dataReplicationInfo: DataReplicationInfo? = nil,
            replicationDirection: String? = nil
        ) {
            self.sourceServerID = sourceServerID
            self.arn = arn
            self.tags = tags
            self.recoveryInstanceId = recoveryInstanceId
            self.lastLaunchResult = lastLaunchResult
            self.dataReplicationInfo = dataReplicationInfo
            self.replicationDirection = replicationDirection
        }
    }

    public struct DataReplicationInfo: Codable, Sendable, Equatable {
        /// ISO 8601 duration, e.g. `PT12S`.
        public var lagDuration: String?
        /// `CONTINUOUS` when in sync; `INITIAL_SYNC`, `BACKLOG`, `STALLED`, …
        public var dataReplicationState: String?

        public init(lagDuration: String? = nil, dataReplicationState: String? = nil) {
            self.lagDuration = lagDuration
            self.dataReplicationState = dataReplicationState
        }
    }

    public struct RecoveryInstance: Codable, Sendable, Equatable {
        public var ec2InstanceID: String?
        /// `PENDING`, `RUNNING`, `STOPPING`, `STOPPED`, `SHUTTING-DOWN`, `TERMINATED`, `NOT_FOUND`.
        public var ec2InstanceState: String?
        public var jobID: String?
        public var recoveryInstanceID: String?
        public var sourceServerID: String?
        public var arn: String?
        public var tags: Tags?
        public var pointInTimeSnapshotDateTime: String?
        public var isDrill: Bool?

        public init(
            ec2InstanceID: String? = nil, ec2InstanceState: String? = nil, jobID: String? = nil,
            recoveryInstanceID: String? = nil, sourceServerID: String? = nil, arn: String? = nil, tags: Tags? = nil,
            pointInTimeSnapshotDateTime: String? = nil, isDrill: Bool? = nil
        ) {
            self.ec2InstanceID = ec2InstanceID
            self.ec2InstanceState = ec2InstanceState
            self.jobID = jobID
            self.recoveryInstanceID = recoveryInstanceID
            self.sourceServerID = sourceServerID
            self.arn = arn
            self.tags = tags
            self.pointInTimeSnapshotDateTime = pointInTimeSnapshotDateTime
            self.isDrill = isDrill
        }
    }

    // MARK: Recovery plans

    public struct RecoveryPlan: Codable, Sendable, Equatable {
        public var recoveryPlanArn: String
        public var name: String
        public var description: String?
        /// `ACTIVE` or `INVALID`.
        public var status: String
        public var createdAt: String
        public var updatedAt: String
        public var tags: Tags?

        public init(
            recoveryPlanArn: String, name: String, description: String? = nil, status: String, createdAt: String,
            updatedAt: String, tags: Tags? = nil
        ) {
            self.recoveryPlanArn = recoveryPlanArn
            self.name = name
            self.description = description
            self.status = status
            self.createdAt = createdAt
            self.updatedAt = updatedAt
            self.tags = tags
        }
    }

    public struct RecoveryPlanSummary: Codable, Sendable, Equatable {
        public var recoveryPlanArn: String
        public var name: String
        public var status: String
        public var createdAt: String
        public var updatedAt: String

        public init(recoveryPlanArn: String, name: String, status: String, createdAt: String, updatedAt: String) {
            self.recoveryPlanArn = recoveryPlanArn
            self.name = name
            self.status = status
            self.createdAt = createdAt
            self.updatedAt = updatedAt
        }
    }

    public struct RecoveryPlanStep: Codable, Sendable, Equatable {
        public var recoveryPlanStepArn: String
        public var stepOrder: Int
        public var stepName: String
        public var configuration: StepConfiguration
        public var createdAt: String
        public var updatedAt: String

        public init(
            recoveryPlanStepArn: String, stepOrder: Int, stepName: String, configuration: StepConfiguration,
            createdAt: String, updatedAt: String
        ) {
            self.recoveryPlanStepArn = recoveryPlanStepArn
            self.stepOrder = stepOrder
            self.stepName = stepName
            self.configuration = configuration
            self.createdAt = createdAt
            self.updatedAt = updatedAt
        }
    }

    public struct StepConfiguration: Codable, Sendable, Equatable {
        public var serverStepConfiguration: ServerStepConfiguration?
        public var waitStepConfiguration: WaitStepConfiguration?

        public init(serverStepConfiguration: ServerStepConfiguration? = nil, waitStepConfiguration: WaitStepConfiguration? = nil) {
            self.serverStepConfiguration = serverStepConfiguration
            self.waitStepConfiguration = waitStepConfiguration
        }
    }

    public struct ServerStepConfiguration: Codable, Sendable, Equatable {
        public var servers: [RecoveryPlanServer]

        public init(servers: [RecoveryPlanServer]) { self.servers = servers }
    }

    public struct RecoveryPlanServer: Codable, Sendable, Equatable {
        /// `arn:aws:drs:{region}:{account}:source-server/s-…`.
        public var serverArn: String
        public var impactLevel: String?

        public init(serverArn: String, impactLevel: String? = nil) {
            self.serverArn = serverArn
            self.impactLevel = impactLevel
        }
    }

    public struct WaitStepConfiguration: Codable, Sendable, Equatable {
        public var waitDurationMinutes: Int

        public init(waitDurationMinutes: Int) { self.waitDurationMinutes = waitDurationMinutes }
    }
}
