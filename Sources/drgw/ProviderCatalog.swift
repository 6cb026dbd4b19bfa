import AlibabaEBS
import DRGWCore
import HuaweiSDRS

/// Every cloud this build knows. Adding a cloud: a folder under providers/, a target in
/// Package.swift, and one entry here.
enum ProviderCatalog {
    static let plugins: [any ProviderPlugin.Type] = [HuaweiSDRSPlugin.self, AlibabaEBSPlugin.self]

    /// The providers' names, comma-separated (for help texts).
    static var names: String {
        plugins.map { plugin in plugin.name }.joined(separator: ", ")
    }

    static func plugin(named name: String) -> (any ProviderPlugin.Type)? {
        plugins.first { $0.name == name }
    }
}
