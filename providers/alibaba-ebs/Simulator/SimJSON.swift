import AlibabaEBS
import Foundation

/// A tiny JSON value, so replies stay `Sendable` and can be stored for ClientToken replays.
indirect enum SimJSON: Sendable {
    case string(String), int(Int), bool(Bool), array([SimJSON]), object([String: SimJSON]), null

    var foundation: Any {
        switch self {
        case .string(let s): return s
        case .int(let i): return i
        case .bool(let b): return b
        case .array(let a): return a.map(\.foundation)
        case .object(let o): return o.mapValues(\.foundation)
        case .null: return NSNull()
        }
    }
}
