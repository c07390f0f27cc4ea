import WhittleIR

/// The tables a conv or fully connected kernel takes: weights in the kernel's layout, the
/// zero-point-folded bias, and the per-channel multipliers and shifts.
enum AffineTables {
    /// `bias[c] − zx · Σ w[c]`: exact in integers, and proven to fit int32 by the
    /// accumulator-range analysis. It lets the kernels multiply raw int8 inputs.
    static func foldedBias(_ bias: [Int32], weights: [Int8], inputZero: Int32) -> [Int32] {
        let perOutput = weights.count / max(bias.count, 1)
        return bias.indices.map { c in
            let sum = weights[(c * perOutput)..<((c + 1) * perOutput)].reduce(Int64(0)) { $0 + Int64($1) }
            return Int32(Int64(bias[c]) - Int64(inputZero) * sum)
        }
    }

    /// `weights` must already be in the kernel's layout; `logicalWeights` in the IR's
    /// `[output][…]` order (for the bias fold).
    static func tables(for identifier: String, weights: [Int8], logicalWeights: [Int8], bias: [Int32],
                       requantization: [QuantizedMultiplier], inputZero: Int32) -> [ConstantTable] {
        [
            ConstantTable(name: "\(identifier)_weights", values: .int8(weights)),
            ConstantTable(name: "\(identifier)_bias", values: .int32(foldedBias(bias, weights: logicalWeights, inputZero: inputZero))),
            ConstantTable(name: "\(identifier)_multiplier", values: .int32(requantization.map(\.multiplier))),
            // Shifts are in −31…30 (verified), so one byte each.
            ConstantTable(name: "\(identifier)_shift", values: .int8(requantization.map { Int8($0.shift) })),
        ]
    }
}
