import AWSDRS
import DRGWCore
import Foundation

/// Recovery plans and their steps.
extension DRSSimulatorWorld {
    func plan(_ arn: String) throws(DRSFault) -> PlanRecord {
        guard let plan = plans[arn] else {
            throw .notFound("Recovery plan \(arn.prefix(256)) does not exist.", resourceId: arn, resourceType: "RECOVERY_PLAN")
        }
        return plan
    }

    /// `CreateRecoveryPlan`. A client token seen before with the same name answers the plan it
    /// made (while that plan exists); with another name it is a conflict.
    mutating func createRecoveryPlan(_ request: DRSWire.CreateRecoveryPlanRequest, now: Date) throws(DRSFault) -> DRSWire.RecoveryPlan {
        try Self.checkName(request.name, field: "name")
        if let description = request.description, description.count > 1024 {
            throw .validation("description must be at most 1024 characters.", field: "description")
        }
        if let token = request.clientToken, !token.isEmpty, let used = planTokens[token] {
            guard used.name == request.name else {
                throw .conflict(
                    "The client token was already used to create recovery plan \(used.name) with other parameters.",
                    resourceId: used.arn, resourceType: "RECOVERY_PLAN")
            }
            if let existing = plans[used.arn] { return existing.wire }
        }
        var planArn = arn("recovery-plan/\(newId("rp-"))")
        while plans[planArn] != nil { planArn = arn("recovery-plan/\(newId("rp-"))") }
        let stamp = Timestamp.rfc3339(now)
        let wire = DRSWire.RecoveryPlan(
            recoveryPlanArn: planArn, name: request.name, description: request.description, status: "ACTIVE", createdAt: stamp,
            updatedAt: stamp, tags: request.tags ?? [:])
        plans[planArn] = PlanRecord(wire: wire, seq: nextSeq())
        if let token = request.clientToken, !token.isEmpty {
            planTokens[token] = TokenUse(scope: "", name: request.name, arn: planArn)
        }
        return wire
    }

    func listRecoveryPlans(_ request: DRSWire.ListRecoveryPlansRequest) throws(DRSFault) -> DRSWire.ListRecoveryPlansResponse {
        let all = plans.values.sorted { $0.seq < $1.seq }
        let page = try Self.page(all, key: \.seq, maxResults: request.maxResults, nextToken: request.nextToken, list: "recoveryPlans")
        return .init(
            recoveryPlans: page.items.map {
                .init(
                    recoveryPlanArn: $0.wire.recoveryPlanArn, name: $0.wire.name, status: $0.wire.status, createdAt: $0.wire.createdAt,
                    updatedAt: $0.wire.updatedAt)
            },
            nextToken: page.nextToken)
    }

    mutating func deleteRecoveryPlan(_ arn: String) throws(DRSFault) {
        _ = try plan(arn)
        plans[arn] = nil
    }

    func listRecoveryPlanSteps(_ request: DRSWire.ListRecoveryPlanStepsRequest) throws(DRSFault) -> DRSWire.ListRecoveryPlanStepsResponse {
        let steps = try plan(request.recoveryPlanArn).steps
        let page = try Self.page(
            steps, key: \.stepOrder, maxResults: request.maxResults, nextToken: request.nextToken, list: "recoveryPlanSteps")
        return .init(recoveryPlanSteps: page.items, nextToken: page.nextToken)
    }

    /// `CreateRecoveryPlanStep`: a SERVER step of known source servers or a WAIT step, placed at
    /// `stepOrder` (the steps from there on move one down) or last.
    mutating func createRecoveryPlanStep(_ request: DRSWire.CreateRecoveryPlanStepRequest, now: Date) throws(DRSFault)
        -> DRSWire.RecoveryPlanStep
    {
        var record = try plan(request.recoveryPlanArn)
        try Self.checkName(request.stepName, field: "stepName")
        let token = request.clientToken.flatMap { $0.isEmpty ? nil : $0 }
        if let token, let used = stepTokens[token] {
            guard used.scope == request.recoveryPlanArn, used.name == request.stepName else {
                throw .conflict(
                    "The client token was already used to create step \(used.name) with other parameters.", resourceId: used.arn,
                    resourceType: "RECOVERY_PLAN_STEP")
            }
            if let existing = record.steps.first(where: { $0.recoveryPlanStepArn == used.arn }) { return existing }
        }
        let configuration = request.configuration
        switch (configuration.serverStepConfiguration, configuration.waitStepConfiguration) {
        case (let server?, nil):
            guard (1...100).contains(server.servers.count) else {
                throw .validation("A server step holds 1 to 100 servers.", field: "configuration.serverStepConfiguration.servers")
            }
            let known = Set(servers.values.compactMap(\.wire.arn))
            if let unknown = server.servers.first(where: { !known.contains($0.serverArn) }) {
                throw .validation(
                    "Source server \(unknown.serverArn.prefix(256)) does not exist.", field: "configuration.serverStepConfiguration.servers")
            }
            if let level = server.servers.compactMap(\.impactLevel).first(where: { !["CRITICAL", "OPTIONAL"].contains($0) }) {
                throw .validation(
                    "impactLevel \(level.prefix(32)) is not CRITICAL or OPTIONAL.", field: "configuration.serverStepConfiguration.servers")
            }
        case (nil, let wait?):
            guard (1...120).contains(wait.waitDurationMinutes) else {
                throw .validation("waitDurationMinutes must be 1 to 120.", field: "configuration.waitStepConfiguration.waitDurationMinutes")
            }
        default:
            throw .validation("configuration must hold exactly one of serverStepConfiguration and waitStepConfiguration.", field: "configuration")
        }
        guard record.steps.count < Self.maxSteps else {
            throw .quotaExceeded(
                "A recovery plan holds at most \(Self.maxSteps) steps.", resourceId: request.recoveryPlanArn, resourceType: "RECOVERY_PLAN",
                quotaCode: "recovery-plan-steps")
        }
        let order = request.stepOrder ?? record.steps.count + 1
        guard (1...record.steps.count + 1).contains(order) else {
            throw .validation("stepOrder must be 1 to \(record.steps.count + 1) for this plan.", field: "stepOrder")
        }
        let stamp = Timestamp.rfc3339(now)
        var stepArn = "\(request.recoveryPlanArn)/step/\(newId("rps-"))"
        while record.steps.contains(where: { $0.recoveryPlanStepArn == stepArn }) {
            stepArn = "\(request.recoveryPlanArn)/step/\(newId("rps-"))"
        }
        let step = DRSWire.RecoveryPlanStep(
            recoveryPlanStepArn: stepArn, stepOrder: order, stepName: request.stepName,
            configuration: configuration, createdAt: stamp, updatedAt: stamp)
        for index in record.steps.indices where record.steps[index].stepOrder >= order {
            record.steps[index].stepOrder += 1
            record.steps[index].updatedAt = stamp
        }
        record.steps.insert(step, at: order - 1)
        record.wire.updatedAt = stamp
        plans[request.recoveryPlanArn] = record
        if let token { stepTokens[token] = TokenUse(scope: request.recoveryPlanArn, name: request.stepName, arn: step.recoveryPlanStepArn) }
        return step
    }

    /// The model's pattern for plan and step names: `[a-zA-Z0-9][a-zA-Z0-9 _-]*`, 1 to 256 characters.
    static func checkName(_ name: String, field: String) throws(DRSFault) {
        let bytes = Array(name.utf8)
        func alnum(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) }
        guard (1...256).contains(bytes.count), alnum(bytes[0]),
            bytes.allSatisfy({ alnum($0) || $0 == 0x20 || $0 == 0x5F || $0 == 0x2D })
        else {
            throw .validation(
                "\(field) must start with a letter or digit and hold only letters, digits, spaces, '_' and '-' (1 to 256).", field: field)
        }
    }
}
