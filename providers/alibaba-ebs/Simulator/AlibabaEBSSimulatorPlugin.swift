import AlibabaEBS
import DRGWCore

/// Plugs the EBS simulator into `drgw simulate`, the demo and the tests.
public enum AlibabaEBSSimulatorPlugin: SimulatorPlugin {
    public static var provider: any ProviderPlugin.Type { AlibabaEBSPlugin.self }

    /// Builds a seeded simulator.
    public static func makeSimulator(options: SimulatorOptions) -> any ProviderSimulator {
        AlibabaEBSSimulator(options: options)
    }
}
