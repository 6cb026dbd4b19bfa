import DRGWCore

// Hand-written readers for the answers the adapter reads on every drill call and job poll. They
// take the member names from each type's `CodingKeys`, so the wire names have one spelling.

extension SDRSWire.DrillServer: JSONReadable {
    public init(json: JSONValue) throws {
        self.init(
            protectedInstance: try json.optionalString(CodingKeys.protectedInstance.rawValue),
            drillServerId: try json.optionalString(CodingKeys.drillServerId.rawValue))
    }
}

extension SDRSWire.DisasterRecoveryDrill: JSONReadable {
    public init(json: JSONValue) throws {
        var servers: [SDRSWire.DrillServer]?
        switch json[CodingKeys.drillServers.rawValue] {
        case nil, .null?: servers = nil
        case .array(let items)?: servers = try items.map(SDRSWire.DrillServer.init(json:))
        default: throw JSONFieldError(field: CodingKeys.drillServers.rawValue)
        }
        self.init(
            id: try json.string(CodingKeys.id.rawValue),
            name: try json.string(CodingKeys.name.rawValue),
            status: try json.string(CodingKeys.status.rawValue),
            drillVpcId: try json.optionalString(CodingKeys.drillVpcId.rawValue),
            createdAt: try json.optionalString(CodingKeys.createdAt.rawValue),
            updatedAt: try json.optionalString(CodingKeys.updatedAt.rawValue),
            serverGroupId: try json.optionalString(CodingKeys.serverGroupId.rawValue),
            drillServers: servers)
    }
}

extension SDRSWire.DrillEnvelope: JSONReadable {
    public init(json: JSONValue) throws {
        guard let drill = json[CodingKeys.disasterRecoveryDrill.rawValue] else {
            throw JSONFieldError(field: CodingKeys.disasterRecoveryDrill.rawValue)
        }
        self.init(disasterRecoveryDrill: try SDRSWire.DisasterRecoveryDrill(json: drill))
    }
}

extension SDRSWire.DrillList: JSONReadable {
    public init(json: JSONValue) throws {
        guard case .array(let items)? = json[CodingKeys.disasterRecoveryDrills.rawValue] else {
            throw JSONFieldError(field: CodingKeys.disasterRecoveryDrills.rawValue)
        }
        var count: Int?
        switch json[CodingKeys.count.rawValue] {
        case nil, .null?: count = nil
        case let value?:
            guard let number = value.intValue else { throw JSONFieldError(field: CodingKeys.count.rawValue) }
            count = number
        }
        self.init(disasterRecoveryDrills: try items.map(SDRSWire.DisasterRecoveryDrill.init(json:)), count: count)
    }
}

extension SDRSWire.JobReference: JSONReadable {
    public init(json: JSONValue) throws {
        self.init(jobId: try json.string(CodingKeys.jobId.rawValue))
    }
}
