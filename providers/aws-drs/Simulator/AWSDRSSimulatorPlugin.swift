import AWSDRS
import DRGWCore

/// Plugs the DRS simulator into `drgw simulate`, the demo and the tests.
public enum AWSDRSSimulatorPlugin: SimulatorPlugin {
    public static var provider: any ProviderPlugin.Type { AWSDRSPlugin.self }

    public static func makeSimulator(options: SimulatorOptions) -> any ProviderSimulator {
        AWSDRSSimulator(options: options)
    }
}
