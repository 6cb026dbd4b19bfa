import AlibabaEBS
import Hummingbird
import NIOCore

/// The request context of the simulator: keeps the channel, to read the remote port and to
/// drop a connection without answering.
struct AlibabaSimulatorContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
