import AlibabaEBS
import AlibabaEBSSimulation
import AWSDRS
import AWSDRSSimulation
import DRGWCore
import HuaweiSDRS
import HuaweiSDRSSimulation

/// Every cloud this build knows. Adding a cloud: a folder under providers/, one line in `clouds`
/// in Package.swift, and its entries here.
enum ProviderCatalog {
    static let plugins: [any ProviderPlugin.Type] = [HuaweiSDRSPlugin.self, AlibabaEBSPlugin.self, AWSDRSPlugin.self]
    static let simulators: [any SimulatorPlugin.Type] = [HuaweiSDRSSimulatorPlugin.self, AlibabaEBSSimulatorPlugin.self, AWSDRSSimulatorPlugin.self]

    /// The providers' names, comma-separated (for help texts).
    static var names: String {
        plugins.map { plugin in plugin.name }.joined(separator: ", ")
    }

    static func plugin(named name: String) -> (any ProviderPlugin.Type)? {
        plugins.first { $0.name == name }
    }

    /// The simulator of the provider called `name`.
    static func simulator(named name: String) -> (any SimulatorPlugin.Type)? {
        simulators.first { $0.provider.name == name }
    }
}
