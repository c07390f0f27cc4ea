import WhittleIR

/// The tables a conv or fully connected kernel takes: the weights in the kernel's layout (one
/// table dense; values and position tables compressed), the zero-point-folded bias, and the
/// per-channel multipliers and shifts.
enum AffineTables {
    /// `bias[c] − zx · Σ w[c]` over the kept weights: exact in integers, and proven to fit int32
    /// by the accumulator-range analysis. It lets the kernels multiply raw int8 inputs.
    static func foldedBias(_ bias: [Int32], weights: [Int8], inputZero: Int32) -> [Int32] {
        let perOutput = weights.count / max(bias.count, 1)
        return bias.indices.map { c in
            let sum = weights[(c * perOutput)..<((c + 1) * perOutput)].reduce(Int64(0)) { $0 + Int64($1) }
            return Int32(Int64(bias[c]) - Int64(inputZero) * sum)
        }
    }

    /// Weight tables, then bias, multiplier and shift. A dense storage is laid out by
    /// `denseLayout` (the kernel's blocking); compressed storages are printed as stored.
    static func tables(for identifier: String, weights: WeightStorage, denseLayout: ([Int8]) -> [Int8], bias: [Int32],
                       requantization: [QuantizedMultiplier], inputZero: Int32) -> [ConstantTable] {
        let logical = weights.denseValues
        var tables: [ConstantTable]
        switch weights {
        case .dense:
            tables = [ConstantTable(name: "\(identifier)_weights", values: .int8(denseLayout(logical)))]
        case .indexSparse(let sparse):
            tables = [ConstantTable(name: "\(identifier)_values", values: .int8(sparse.values)),
                      ConstantTable(name: "\(identifier)_gaps", values: .uint8(sparse.gaps)),
                      ConstantTable(name: "\(identifier)_counts", values: .uint8(sparse.counts))]
        case .bitmap(let bitmap):
            tables = [ConstantTable(name: "\(identifier)_values", values: .int8(bitmap.values)),
                      ConstantTable(name: "\(identifier)_masks", values: .uint8(bitmap.masks))]
        case .nm(let nm):
            tables = [ConstantTable(name: "\(identifier)_values", values: .int8(nm.values)),
                      ConstantTable(name: "\(identifier)_indices", values: .uint8(nm.indices))]
        }
        return tables + [
            ConstantTable(name: "\(identifier)_bias", values: .int32(foldedBias(bias, weights: logical, inputZero: inputZero))),
            ConstantTable(name: "\(identifier)_multiplier", values: .int32(requantization.map(\.multiplier))),
            // Shifts are in −31…30 (verified), so one byte each.
            ConstantTable(name: "\(identifier)_shift", values: .int8(requantization.map { Int8($0.shift) })),
        ]
    }

    /// The most nonzero weights of any output: the taps a sparse conv decodes one filter into.
    static func mostNonzerosPerOutput(_ weights: [Int8], outputs: Int) -> Int {
        let perOutput = weights.count / max(outputs, 1)
        return (0..<outputs).map { o in weights[(o * perOutput)..<((o + 1) * perOutput)].filter { $0 != 0 }.count }.max() ?? 0
    }
}
