import WhittleIR

extension ClampRange {
    /// TFLite's `CalculateActivationRangeQuantized` for an int8 output: the fused activation's
    /// bounds quantized as `zero_point + round(x / scale)` in *float* (as TFLite computes it; a
    /// double division could round a tie differently), then held inside −128…127.
    /// nil for the activations an int8 kernel has no range for (TANH, SIGN_BIT).
    public init?(tflite activation: TFLiteActivation, scale: Float, zeroPoint: Int32) {
        func quantized(_ x: Float) -> Int32 {
            let steps = (x / scale).rounded(.toNearestOrAwayFromZero)
            return zeroPoint + Int32(Swift.max(-1e9, Swift.min(1e9, steps)))
        }
        switch activation {
        case .none: self = .int8
        case .relu: self.init(min: Swift.max(-128, quantized(0)), max: 127)
        case .relu6: self.init(min: Swift.max(-128, quantized(0)), max: Swift.min(127, quantized(6)))
        case .reluN1To1: self.init(min: Swift.max(-128, quantized(-1)), max: Swift.min(127, quantized(1)))
        case .tanh, .signBit: return nil
        }
    }
}
