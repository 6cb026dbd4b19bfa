/// An SDRS error answer of the simulator: `{"error":{"code":…,"message":…}}` with its status.
struct SDRSFault: Error, Sendable {
    var status: Int
    var code: String
    var message: String

    static func badRequest(_ code: String, _ message: String) -> SDRSFault {
        SDRSFault(status: 400, code: code, message: message)
    }
}
