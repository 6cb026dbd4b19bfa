import DRGWCore
import HuaweiSDRS

/// Plugs the SDRS simulator into `drgw simulate`, the demo and the tests.
public enum HuaweiSDRSSimulatorPlugin: SimulatorPlugin {
    public static var provider: any ProviderPlugin.Type { HuaweiSDRSPlugin.self }

    public static func makeSimulator(options: SimulatorOptions) -> any ProviderSimulator {
        HuaweiSDRSSimulator(options: options)
    }
}
