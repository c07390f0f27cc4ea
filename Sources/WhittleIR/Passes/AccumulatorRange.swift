/// The largest int32 magnitudes one conv / fully connected layer can reach, over all channels
/// and all int8 inputs.
public struct AccumulatorBound: Hashable, Sendable {
    public var layer: String
    /// max over channels of `|bias| + Σ|w| · max|x − zx|`: the accumulator the reference forms.
    public var accumulator: Int64
    /// max over channels of `|bias − zx·Σw| + Σ|w| · 128`: every partial sum of the generated C,
    /// which folds `zx·Σw` into the bias and multiplies raw int8 inputs.
    public var foldedAccumulator: Int64
    /// max over channels of `accumulator · 2^max(shift, 0)`: the value entering the high multiply,
    /// which must stay below 2^30, the bit of headroom the C output stage rounds in
    /// (`whittle_multiply_prepared`: SMMULR of twice the value, one add before the shift).
    public var shiftedAccumulator: Int64

    /// The largest of the three, against which headroom is measured.
    public var worst: Int64 { max(accumulator, foldedAccumulator, shiftedAccumulator) }
}

/// A layer whose int32 arithmetic could overflow for some int8 input.
public struct AccumulatorOverflowError: Error, CustomStringConvertible, Sendable {
    public let layer: String
    public let kind: String
    public let channel: Int
    public let quantity: String
    public let bound: Int64
    public let limit: Int64

    public var description: String {
        "layer '\(layer)' (\(kind)): \(quantity) of output channel \(channel) could reach \(bound), over the limit \(limit); lower the weight or bias scale, or split the layer"
    }
}

/// Accumulator-range analysis: proves that no conv / fully connected layer can overflow int32,
/// whatever int8 input arrives, in the reference formula or in the folded form the C uses, and
/// that the value entering the output stage stays below 2^30, or
/// refuses with a one-line error naming the layer and channel.
///
/// The sums run over the kept weights of any storage (a dropped zero adds nothing to Σw or
/// Σ|w|), and bound every partial sum in any order, so they hold for the sparse kernels too,
/// which add the kept taps in their own order.
public enum AccumulatorRangeAnalysis {
    /// Every bound, one per conv / fully connected layer, in graph order.
    public static func check(_ graph: QGraph) throws -> [AccumulatorBound] {
        var bounds: [AccumulatorBound] = []
        for node in graph.nodes {
            let input = graph.tensors[node.inputs[0]]
            switch node.op {
            case .conv2d(let conv):
                bounds.append(try bound(node.name, node.op.kindName, weights: conv.weights.denseValues, bias: conv.bias,
                                        requantization: conv.requantization, inputZero: input.quant.zeroPoint))
            case .fullyConnected(let fc):
                bounds.append(try bound(node.name, node.op.kindName, weights: fc.weights.denseValues, bias: fc.bias,
                                        requantization: fc.requantization, inputZero: input.quant.zeroPoint))
            case .averagePool(let pool):
                // The tap sum: at most 128 per tap.
                let taps = Int64(pool.window.kernelHeight) * Int64(pool.window.kernelWidth)
                if taps * 128 > Int64(Int32.max) {
                    throw AccumulatorOverflowError(layer: node.name, kind: node.op.kindName, channel: 0,
                                                   quantity: "the sum of \(taps) taps", bound: taps * 128,
                                                   limit: Int64(Int32.max))
                }
            case .mean(let mean):
                // Σx − zx·n over n = height · width values (and the raw sum Σx the C forms first),
                // shifted left by the multiplier's positive shift: under 2^30, the output stage's headroom.
                let count = Int64(input.shape.height) * Int64(input.shape.width)
                let zero = Int64(input.quant.zeroPoint)
                let centred = count * max(127 - zero, zero + 128)
                let shift = Int64(max(mean.multiplier.shift, 0))
                for (quantity, value, room) in [("the sum of \(count) values", max(centred, count * 128), Int64(Int32.max)),
                                                ("the centred sum shifted left by \(shift)", shift < 32 ? centred << shift : .max, Int64(Int32.max) >> 1)]
                    where value > room {
                    throw AccumulatorOverflowError(layer: node.name, kind: node.op.kindName, channel: 0, quantity: quantity, bound: value, limit: room)
                }
            default:
                // No accumulator (an add's values stay under 2^29 once the verifier has its
                // multipliers below 1; see `Add`; softmax's sum of at most 511 exponentials stays
                // under 2^28, see `Softmax`).
                break
            }
        }
        return bounds
    }

    private static func bound(_ layer: String, _ kind: String, weights: [Int8], bias: [Int32],
                              requantization: [QuantizedMultiplier], inputZero: Int32) throws -> AccumulatorBound {
        let limit = Int64(Int32.max)
        let perChannel = weights.count / max(bias.count, 1)
        let zero = Int64(inputZero)
        let maxDeviation = max(127 - zero, zero + 128)
        var result = AccumulatorBound(layer: layer, accumulator: 0, foldedAccumulator: 0, shiftedAccumulator: 0)
        for c in bias.indices {
            var sum: Int64 = 0
            var sumAbs: Int64 = 0
            for w in weights[(c * perChannel)..<((c + 1) * perChannel)] {
                sum += Int64(w)
                sumAbs += Int64(w.magnitude)
            }
            let b = Int64(bias[c])
            let exact = abs(b) + sumAbs * maxDeviation
            let folded = abs(b - zero * sum) + sumAbs * 128
            let shifted = exact << Int64(max(requantization[c].shift, 0))
            // The value entering the output stage keeps a bit of headroom (see shiftedAccumulator).
            for (quantity, value, room) in [("the accumulator", exact, limit), ("the zero-point-folded accumulator", folded, limit),
                                            ("the accumulator shifted left by \(max(requantization[c].shift, 0))", shifted, limit >> 1)]
                where value > room {
                throw AccumulatorOverflowError(layer: layer, kind: kind, channel: c, quantity: quantity, bound: value, limit: room)
            }
            result.accumulator = max(result.accumulator, exact)
            result.foldedAccumulator = max(result.foldedAccumulator, folded)
            result.shiftedAccumulator = max(result.shiftedAccumulator, shifted)
        }
        return result
    }
}
