import Foundation

/// A DRS error answer of the simulator: the status from the model, the error type (also sent in
/// `x-amzn-ErrorType`) and the members the model gives that error.
struct DRSFault: Error, Sendable {
    /// One entry of a `ValidationException`'s `fieldList`.
    struct Field: Sendable, Encodable {
        var name: String
        var message: String
    }

    var status: Int
    var type: String
    var message: String
    /// `ValidationException.reason`: `unknownOperation`, `cannotParse`, `fieldValidationFailed`, `other`.
    var reason: String?
    var fieldList: [Field]?
    var resourceId: String?
    var resourceType: String?
    var serviceCode: String?
    var quotaCode: String?
    /// Seconds, sent as `Retry-After` (throttling and internal errors).
    var retryAfter: String?

    init(status: Int, type: String, message: String) {
        self.status = status
        self.type = type
        self.message = message
    }

    static func validation(_ message: String, reason: String = "fieldValidationFailed", field: String? = nil) -> DRSFault {
        var fault = DRSFault(status: 400, type: "ValidationException", message: message)
        fault.reason = reason
        if let field { fault.fieldList = [Field(name: field, message: message)] }
        return fault
    }

    static func notFound(_ message: String, resourceId: String, resourceType: String) -> DRSFault {
        var fault = DRSFault(status: 404, type: "ResourceNotFoundException", message: message)
        fault.resourceId = resourceId
        fault.resourceType = resourceType
        return fault
    }

    static func conflict(_ message: String, resourceId: String, resourceType: String) -> DRSFault {
        var fault = DRSFault(status: 409, type: "ConflictException", message: message)
        fault.resourceId = resourceId
        fault.resourceType = resourceType
        return fault
    }

    static func quotaExceeded(_ message: String, resourceId: String, resourceType: String, quotaCode: String) -> DRSFault {
        var fault = DRSFault(status: 402, type: "ServiceQuotaExceededException", message: message)
        fault.resourceId = resourceId
        fault.resourceType = resourceType
        fault.serviceCode = "drs"
        fault.quotaCode = quotaCode
        return fault
    }

    static func unknownOperation(_ name: String) -> DRSFault {
        DRSFault(status: 404, type: "UnknownOperationException", message: "Unknown operation \(name.prefix(64)).")
    }

    /// The JSON body: `message` and `code` always, the model's other members where set.
    var body: Data {
        struct Body: Encodable {
            var message: String
            var code: String
            var reason: String?
            var fieldList: [Field]?
            var resourceId: String?
            var resourceType: String?
            var serviceCode: String?
            var quotaCode: String?
        }
        let value = Body(
            message: message, code: type, reason: reason, fieldList: fieldList, resourceId: resourceId, resourceType: resourceType,
            serviceCode: serviceCode, quotaCode: quotaCode)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)) ?? Data(#"{"message":"Internal server error"}"#.utf8)
    }
}
