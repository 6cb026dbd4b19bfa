import DRGWCore

/// Foundation also has an `Operation`; inside this module the name means the unified one.
public typealias Operation = DRGWCore.Operation
