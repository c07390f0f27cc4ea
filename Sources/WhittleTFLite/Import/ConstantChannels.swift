import WhittleIR

/// Output channels whose weights are all zero compute a constant: `MultiplyByQuantizedMultiplier
/// (bias)`. TFLite's converter leaves such dead channels in MobileNets with a bias of ±2^30 and a
/// weight scale near 1e-8, which puts the accumulator at the edge of the int32 headroom the C
/// output stage relies on (|acc| < 2^30). The importer stores such a channel as the same constant
/// with a multiplier of about ½ and a small bias — exact for every input, since the accumulator
/// of a zero row is its bias — and reports it. The weight scale is only metadata for a zero row.
struct ConstantChannels {
    /// Biases at or above this magnitude on a zero row are restated.
    static let threshold: Int32 = 1 << 29

    /// Restates the zero rows of `weights` (`scales.count` rows) with such a bias; returns the
    /// restated channels.
    static func restate(weights: [Int8], scales: inout [Double], bias: inout [Int32], requantization: inout [QuantizedMultiplier],
                        inputScale: Double, outputScale: Double, rounding: RequantizationRounding) -> [Int] {
        let perOutput = weights.count / max(scales.count, 1)
        var restated: [Int] = []
        for c in scales.indices where bias[c].magnitude >= threshold.magnitude
            && weights[(c * perOutput)..<((c + 1) * perOutput)].allSatisfy({ $0 == 0 }) {
            // A multiplier that shifts such a bias left out of int32 is left for the range analysis to refuse.
            let left = Int64(max(requantization[c].shift, 0))
            guard left < 31, Int32(exactly: Int64(bias[c]) << left) != nil else { continue }
            let value = FixedPoint.multiplyByQuantizedMultiplier(bias[c], requantization[c], rounding: rounding)
            // A float32 scale, so the restated channel exports and imports to the same multiplier.
            let float = Float(0.5 * outputScale / inputScale)
            guard float.isNormal else { continue }
            let scale = Double(float)
            let multiplier = QuantizedMultiplier(real: inputScale * scale / outputScale)
            guard multiplier.shift <= 0 else { continue } // about ½
            // About 2·value; the exact one is within a few steps either side: 0, −1, +1, −2, …
            let steps: [Int64] = [0, -1, 1, -2, 2, -3, 3, -4, 4]
            guard let newBias = steps.lazy.compactMap({ Int32(exactly: 2 * Int64(value) + $0) })
                .first(where: { FixedPoint.multiplyByQuantizedMultiplier($0, multiplier, rounding: rounding) == value }) else { continue }
            scales[c] = scale
            bias[c] = newBias
            requantization[c] = multiplier
            restated.append(c)
        }
        return restated
    }
}
