import Foundation

/// Request and answer bodies of the operations drgw calls (`POST /{Operation}`).
extension DRSWire {
    public struct StartRecoveryRequest: Codable, Sendable, Equatable {
        public var sourceServers: [SourceServerSelection]
        public var isDrill: Bool?
        public var tags: Tags?

        public init(sourceServers: [SourceServerSelection], isDrill: Bool? = nil, tags: Tags? = nil) {
            self.sourceServers = sourceServers
            self.isDrill = isDrill
            self.tags = tags
        }
    }

    /// `StartRecoveryRequestSourceServer`.
    public struct SourceServerSelection: Codable, Sendable, Equatable {
        public var sourceServerID: String
        public var recoverySnapshotID: String?

        public init(sourceServerID: String, recoverySnapshotID: String? = nil) {
            self.sourceServerID = sourceServerID
            self.recoverySnapshotID = recoverySnapshotID
        }
    }

    /// The answer of `StartRecovery` and `TerminateRecoveryInstances`.
    public struct JobEnvelope: Codable, Sendable, Equatable {
        public var job: Job?

        public init(job: Job?) { self.job = job }
    }

    public struct DescribeJobsRequest: Codable, Sendable, Equatable {
        public var filters: Filters?
        public var maxResults: Int?
        public var nextToken: String?

        public struct Filters: Codable, Sendable, Equatable {
            public var jobIDs: [String]?
            public var fromDate: String?
            public var toDate: String?

            public init(jobIDs: [String]? = nil, fromDate: String? = nil, toDate: String? = nil) {
                self.jobIDs = jobIDs
                self.fromDate = fromDate
                self.toDate = toDate
            }
        }

        public init(filters: Filters? = nil, maxResults: Int? = nil, nextToken: String? = nil) {
            self.filters = filters
            self.maxResults = maxResults
            self.nextToken = nextToken
        }
    }

    public struct DescribeJobsResponse: Codable, Sendable, Equatable {
        public var items: [Job]?
        public var nextToken: String?

        public init(items: [Job]?, nextToken: String? = nil) {
            self.items = items
            self.nextToken = nextToken
        }
    }

    public struct DescribeJobLogItemsRequest: Codable, Sendable, Equatable {
        public var jobID: String
        public var maxResults: Int?
        public var nextToken: String?

        public init(jobID: String, maxResults: Int? = nil, nextToken: String? = nil) {
            self.jobID = jobID
            self.maxResults = maxResults
            self.nextToken = nextToken
        }
    }

    public struct DescribeJobLogItemsResponse: Codable, Sendable, Equatable {
        public var items: [JobLog]?
        public var nextToken: String?

        public init(items: [JobLog]?, nextToken: String? = nil) {
            self.items = items
            self.nextToken = nextToken
        }
    }

    public struct DescribeRecoveryInstancesRequest: Codable, Sendable, Equatable {
        public var filters: Filters?
        public var maxResults: Int?
        public var nextToken: String?

        public struct Filters: Codable, Sendable, Equatable {
            public var recoveryInstanceIDs: [String]?
            public var sourceServerIDs: [String]?

            public init(recoveryInstanceIDs: [String]? = nil, sourceServerIDs: [String]? = nil) {
                self.recoveryInstanceIDs = recoveryInstanceIDs
                self.sourceServerIDs = sourceServerIDs
            }
        }

        public init(filters: Filters? = nil, maxResults: Int? = nil, nextToken: String? = nil) {
            self.filters = filters
            self.maxResults = maxResults
            self.nextToken = nextToken
        }
    }

    public struct DescribeRecoveryInstancesResponse: Codable, Sendable, Equatable {
        public var items: [RecoveryInstance]?
        public var nextToken: String?

        public init(items: [RecoveryInstance]?, nextToken: String? = nil) {
            self.items = items
            self.nextToken = nextToken
        }
    }

    public struct DescribeSourceServersRequest: Codable, Sendable, Equatable {
        public var filters: Filters?
        public var maxResults: Int?
        public var nextToken: String?

        public struct Filters: Codable, Sendable, Equatable {
            public var sourceServerIDs: [String]?
            public var hardwareId: String?

            public init(sourceServerIDs: [String]? = nil, hardwareId: String? = nil) {
                self.sourceServerIDs = sourceServerIDs
                self.hardwareId = hardwareId
            }
        }

        public init(filters: Filters? = nil, maxResults: Int? = nil, nextToken: String? = nil) {
            self.filters = filters
            self.maxResults = maxResults
            self.nextToken = nextToken
        }
    }

    public struct DescribeSourceServersResponse: Codable, Sendable, Equatable {
        public var items: [SourceServer]?
        public var nextToken: String?

        public init(items: [SourceServer]?, nextToken: String? = nil) {
            self.items = items
            self.nextToken = nextToken
        }
    }

    public struct TerminateRecoveryInstancesRequest: Codable, Sendable, Equatable {
        public var recoveryInstanceIDs: [String]

        public init(recoveryInstanceIDs: [String]) { self.recoveryInstanceIDs = recoveryInstanceIDs }
    }

    public struct ReverseReplicationRequest: Codable, Sendable, Equatable {
        public var recoveryInstanceID: String

        public init(recoveryInstanceID: String) { self.recoveryInstanceID = recoveryInstanceID }
    }

    public struct ReverseReplicationResponse: Codable, Sendable, Equatable {
        public var reversedDirectionSourceServerArn: String?

        public init(reversedDirectionSourceServerArn: String?) {
            self.reversedDirectionSourceServerArn = reversedDirectionSourceServerArn
        }
    }

    public struct CreateRecoveryPlanRequest: Codable, Sendable, Equatable {
        public var name: String
        public var description: String?
        public var clientToken: String?
        public var tags: Tags?

        public init(name: String, description: String? = nil, clientToken: String? = nil, tags: Tags? = nil) {
            self.name = name
            self.description = description
            self.clientToken = clientToken
            self.tags = tags
        }
    }

    /// The answer of `CreateRecoveryPlan` and `GetRecoveryPlan`.
    public struct RecoveryPlanEnvelope: Codable, Sendable, Equatable {
        public var recoveryPlan: RecoveryPlan

        public init(recoveryPlan: RecoveryPlan) { self.recoveryPlan = recoveryPlan }
    }

    /// The body of `GetRecoveryPlan` and `DeleteRecoveryPlan` (the answer of the latter too).
    public struct RecoveryPlanReference: Codable, Sendable, Equatable {
        public var recoveryPlanArn: String

        public init(recoveryPlanArn: String) { self.recoveryPlanArn = recoveryPlanArn }
    }

    public struct ListRecoveryPlansRequest: Codable, Sendable, Equatable {
        public var maxResults: Int?
        public var nextToken: String?

        public init(maxResults: Int? = nil, nextToken: String? = nil) {
            self.maxResults = maxResults
            self.nextToken = nextToken
        }
    }

    public struct ListRecoveryPlansResponse: Codable, Sendable, Equatable {
        public var recoveryPlans: [RecoveryPlanSummary]
        public var nextToken: String?

        public init(recoveryPlans: [RecoveryPlanSummary], nextToken: String? = nil) {
            self.recoveryPlans = recoveryPlans
            self.nextToken = nextToken
        }
    }

    public struct ListRecoveryPlanStepsRequest: Codable, Sendable, Equatable {
        public var recoveryPlanArn: String
        public var maxResults: Int?
        public var nextToken: String?

        public init(recoveryPlanArn: String, maxResults: Int? = nil, nextToken: String? = nil) {
            self.recoveryPlanArn = recoveryPlanArn
            self.maxResults = maxResults
            self.nextToken = nextToken
        }
    }

    public struct ListRecoveryPlanStepsResponse: Codable, Sendable, Equatable {
        public var recoveryPlanSteps: [RecoveryPlanStep]
        public var nextToken: String?

        public init(recoveryPlanSteps: [RecoveryPlanStep], nextToken: String? = nil) {
            self.recoveryPlanSteps = recoveryPlanSteps
            self.nextToken = nextToken
        }
    }

    public struct CreateRecoveryPlanStepRequest: Codable, Sendable, Equatable {
        public var recoveryPlanArn: String
        public var stepName: String
        public var stepOrder: Int?
        public var configuration: StepConfiguration
        public var clientToken: String?

        public init(
            recoveryPlanArn: String, stepName: String, stepOrder: Int? = nil, configuration: StepConfiguration,
            clientToken: String? = nil
        ) {
            self.recoveryPlanArn = recoveryPlanArn
            self.stepName = stepName
            self.stepOrder = stepOrder
            self.configuration = configuration
            self.clientToken = clientToken
        }
    }

    public struct RecoveryPlanStepEnvelope: Codable, Sendable, Equatable {
        public var recoveryPlanStep: RecoveryPlanStep

        public init(recoveryPlanStep: RecoveryPlanStep) { self.recoveryPlanStep = recoveryPlanStep }
    }

    /// An error answer's body: `message`, and the error type in `__type` or `code` (the
    /// `x-amzn-ErrorType` header carries it too).
    public struct ErrorBody: Codable, Sendable, Equatable {
        public var message: String?
        public var code: String?
        public var type: String?
        public var reason: String?
        public var resourceId: String?
        public var resourceType: String?

        enum CodingKeys: String, CodingKey {
            case message, code, reason, resourceId, resourceType
            case type = "__type"
        }

        public init(
            message: String?, code: String? = nil, type: String? = nil, reason: String? = nil, resourceId: String? = nil,
            resourceType: String? = nil
        ) {
            self.message = message
            self.code = code
            self.type = type
            self.reason = reason
            self.resourceId = resourceId
            self.resourceType = resourceType
        }
    }
}
