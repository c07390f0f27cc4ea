import WhittleIR
import WhittleTensor

/// Weight and bias quantization: weights int8 symmetric (zero point 0, −127…127), per output
/// channel or one scale per tensor; bias int32 with scale s_in · s_w[c].
public enum WeightQuantization {
    public struct Quantized {
        public var values: [Int8]
        public var scales: [Double]   // one per output channel (repeated when per tensor)
    }

    /// `weight` has output channels on its first axis ([out, …]). `float32Scales` rounds each
    /// scale to float32 before the weights are quantized with it (see `QuantizationScheme`).
    public static func symmetric(_ weight: Tensor, perChannel: Bool, float32Scales: Bool = false) -> Quantized {
        let channels = weight.shape[0], per = weight.count / max(channels, 1)
        func scale(_ values: ArraySlice<Float>) -> Double {
            let m = Double(values.reduce(0) { max($0, abs($1)) })
            let scale = float32Scales ? Double(Float(m / 127)) : m / 127
            return scale > 0 ? scale : 1 // an all-zero (or subnormal) channel: any positive scale quantizes it to 0
        }
        let scales = perChannel
            ? (0..<channels).map { scale(weight.storage[($0 * per)..<(($0 + 1) * per)]) }
            : [Double](repeating: scale(weight.storage[...]), count: channels)
        var values = [Int8](repeating: 0, count: weight.count)
        for c in 0..<channels {
            for j in 0..<per {
                let q = (Double(weight.storage[c * per + j]) / scales[c]).rounded(.toNearestOrAwayFromZero)
                values[c * per + j] = Int8(max(-127, min(127, q)))
            }
        }
        return Quantized(values: values, scales: scales)
    }

    /// Bias in int32 at scale s_in · s_w[c]; a bias too large for int32 is an error naming the layer.
    public static func bias(_ bias: [Float], inputScale: Double, weightScales: [Double], layer: String) throws -> [Int32] {
        try bias.enumerated().map { c, b in
            let q = (Double(b) / (inputScale * weightScales[c])).rounded(.toNearestOrAwayFromZero)
            guard abs(q) < 2_147_483_647 else {
                throw LoweringError("layer '\(layer)': bias \(b) of channel \(c) does not fit int32 at scale \(inputScale * weightScales[c])")
            }
            return Int32(q)
        }
    }
}
