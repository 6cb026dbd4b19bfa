import DRGWCore

/// Foundation also has an `Operation`; inside this module the name means the unified one.
typealias Operation = DRGWCore.Operation
