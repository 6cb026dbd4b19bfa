/// One answer of the simulator: status, JSON body and extra headers.
struct SimReply: Error, Sendable {
    var status: Int
    var body: [String: SimJSON]
    var headers: [(name: String, value: String)] = []
}
