/// The output clamp of an op, `act_min…act_max`, in the output's quantized domain. A fused
/// ReLU or ReLU6 is only a narrower range than −128…127.
public struct ClampRange: Hashable, Sendable {
    public var min: Int32
    public var max: Int32

    public init(min: Int32, max: Int32) {
        self.min = min
        self.max = max
    }

    /// No activation: the whole int8 range.
    public static let int8 = ClampRange(min: -128, max: 127)

    /// The range of `activation` for an output quantized with `quant`, as TFLite's
    /// `CalculateActivationRangeQuantized` computes it (round ties away from zero, saturate).
    public init(_ activation: FusedActivation, output quant: QuantParams) {
        func quantized(_ real: Double) -> Int32 { Int32(quant.quantize(real)) }
        switch activation {
        case .none:
            self = .int8
        case .relu:
            self.init(min: quantized(0), max: 127)
        case .relu6:
            self.init(min: quantized(0), max: quantized(6))
        }
    }

    @inlinable
    public func clamp(_ value: Int32) -> Int32 {
        Swift.min(Swift.max(value, min), max)
    }
}

/// An activation fused into the op before it.
public enum FusedActivation: String, Hashable, Sendable, CaseIterable {
    case none, relu, relu6
}
