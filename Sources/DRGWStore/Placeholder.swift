import DRGWCore
