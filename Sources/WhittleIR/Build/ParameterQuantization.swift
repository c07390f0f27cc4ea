/// The integer parameter conventions of contract 1, for front ends that start from real-valued
/// weights: weights int8 symmetric per output channel (zero point 0, −127…127), bias int32 with
/// scale `s_in · s_w[c]` and zero point 0. Compile-time only.
public enum ParameterQuantization {
    /// Quantizes `weights` (`outputs` equal rows, any layout within a row) per row:
    /// `s_w[c] = max|w| / 127` (1/127 for an all-zero row, so the scale stays positive) and
    /// `q = round(w / s_w[c])`, ties away from zero.
    ///
    /// Example: the row [0.5, −1.27, 0.004] has scale 0.01 and becomes [50, −127, 0].
    public static func symmetricPerChannel(_ weights: [Float], outputs: Int) -> (values: [Int8], scales: [Double]) {
        precondition(outputs > 0 && weights.count % outputs == 0, "\(weights.count) weights do not split into \(outputs) rows")
        let perRow = weights.count / outputs
        var values = [Int8](repeating: 0, count: weights.count)
        var scales: [Double] = []
        for row in 0..<outputs {
            let range = (row * perRow)..<((row + 1) * perRow)
            let largest = weights[range].map { Double(abs($0)) }.max() ?? 0
            let scale = (largest > 0 ? largest : 1) / 127
            for i in range {
                values[i] = Int8(max(-127, min(127, (Double(weights[i]) / scale).rounded(.toNearestOrAwayFromZero))))
            }
            scales.append(scale)
        }
        return (values, scales)
    }

    /// `round(b[c] / (inputScale · weightScales[c]))`, ties away from zero; nil if a value does
    /// not fit int32 (the layer's scales are then too small for its bias).
    ///
    /// Example: bias 0.3 with `s_in` 0.02 and `s_w` 0.01 becomes 1500.
    public static func bias(_ bias: [Float], inputScale: Double, weightScales: [Double]) -> [Int32]? {
        precondition(bias.count == weightScales.count, "\(bias.count) biases for \(weightScales.count) weight scales")
        var result: [Int32] = []
        for (b, s) in zip(bias, weightScales) {
            let q = (Double(b) / (inputScale * s)).rounded(.toNearestOrAwayFromZero)
            guard q.isFinite, q >= Double(Int32.min), q <= Double(Int32.max) else { return nil }
            result.append(Int32(q))
        }
        return result
    }
}
