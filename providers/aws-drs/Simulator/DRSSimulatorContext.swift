import Hummingbird
import NIOCore

/// Request context of the DRS simulator: keeps the channel to read the remote port and to drop
/// the connection when a fault asks for it.
struct DRSSimulatorContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
