/// How many output channels a conv / fully connected kernel computes at once, and the weight
/// layout that goes with it. Decided here once; the kernels take `block` as a parameter and
/// read the layout this produces.
enum ChannelBlocking {
    /// The kernels' `CONV2D_S8_MAX_BLOCK` / `FC_S8_MAX_BLOCK`.
    static let limit = 8

    /// The largest block up to the target's `limit` that divides the output channels of one
    /// group, so no block straddles a group and no channel is wasted.
    static func block(outputsPerGroup: Int, limit: Int) -> Int {
        (1...min(limit, Self.limit)).reversed().first { outputsPerGroup % $0 == 0 }!
    }

    /// `[outputs][perOutput]` → `[outputs / block][perOutput][block]`.
    static func interleave(_ weights: [Int8], outputs: Int, block: Int) -> [Int8] {
        let perOutput = weights.count / outputs
        var result = weights
        for o in 0..<outputs {
            let (blockIndex, lane) = o.quotientAndRemainder(dividingBy: block)
            for i in 0..<perOutput {
                result[(blockIndex * perOutput + i) * block + lane] = weights[o * perOutput + i]
            }
        }
        return result
    }

    /// The word layout of the `_dsp` kernels (`whittle_dsp_dot_block` in templates/kernels/whittle_dsp.h):
    /// each output's `perOutput` weights are read in runs of `run` consecutive values (a filter
    /// row, a grouped tap, or a whole fully connected row); per block of outputs, per run,
    /// `[run / 4][block][4]` (four consecutive weights of one output, so one word load matches
    /// four consecutive inputs) then `[run % 4][block]`.
    /// `[outputs][perOutput]` → `[outputs / block][perOutput / run][that]`.
    /// Example, 2 outputs a0…a5 and b0…b5, block 2, run 6: a0 a1 a2 a3 b0 b1 b2 b3 a4 b4 a5 b5.
    static func interleaveWords(_ weights: [Int8], outputs: Int, block: Int, run: Int) -> [Int8] {
        let perOutput = weights.count / outputs
        precondition(run > 0 && perOutput % run == 0, "runs must tile a filter")
        let (words, tail) = run.quotientAndRemainder(dividingBy: 4)
        var result: [Int8] = []
        result.reserveCapacity(weights.count)
        for first in stride(from: 0, to: outputs, by: block) {
            for start in stride(from: 0, to: perOutput, by: run) {
                for word in 0..<words {
                    for o in first..<(first + block) {
                        let begin: Int = o * perOutput + start + 4 * word
                        result += weights[begin..<(begin + 4)]
                    }
                }
                for t in 0..<tail {
                    for o in first..<(first + block) {
                        let index: Int = o * perOutput + start + 4 * words + t
                        result.append(weights[index])
                    }
                }
            }
        }
        return result
    }

    /// `conv2d_s8_mm`'s channel order: the outputs with some nonzero weight ("live", in order),
    /// then those whose weights are all zero, which compute their bias alone at every pixel (a
    /// pruned channel, or one import restated as a constant). The kernel multiplies only the live
    /// ones, paired in this order. Example: 4 outputs, output 1 all zero → order [0, 2, 3, 1], live 3.
    static func liveOrder(_ weights: [Int8], outputs: Int) -> (order: [Int], live: Int) {
        let perOutput = weights.count / max(outputs, 1)
        let isLive = (0..<outputs).map { o in weights[(o * perOutput)..<((o + 1) * perOutput)].contains { $0 != 0 } }
        let live = (0..<outputs).filter { isLive[$0] }
        return (live + (0..<outputs).filter { !isLive[$0] }, live.count)
    }

    /// What `conv2d_s8_mm` multiplies: its output channels in `liveOrder`, and the input channels
    /// its columns hold, `inputs` (in order), or nil for all of them. An input channel no live
    /// filter weighs at any tap (one that import restated as a constant, folded into the next
    /// layer's biases) is left out of the columns when the multiply-accumulates that saves
    /// (`inputChannels - inputs.count` per tap and live output) outweigh gathering the rest byte
    /// by byte (about 3 per kept value, where whole words are widened otherwise).
    /// Example: 8 input channels of which filters read 0 and 5 only, 4 live outputs: inputs [0, 5].
    struct MatrixChannels: Equatable {
        var order: [Int]
        var live: Int
        var inputs: [Int]?
        /// Values per tap in a column.
        func columnChannels(inputChannels: Int) -> Int { inputs?.count ?? inputChannels }
    }

    static func matrixChannels(_ weights: [Int8], outputs: Int, inputChannels: Int) -> MatrixChannels {
        let (order, live) = liveOrder(weights, outputs: outputs)
        let perOutput = weights.count / max(outputs, 1), taps = perOutput / max(inputChannels, 1)
        var read = [Bool](repeating: false, count: inputChannels)
        for o in order.prefix(live) {
            for t in 0..<taps {
                for c in 0..<inputChannels where weights[o * perOutput + t * inputChannels + c] != 0 { read[c] = true }
            }
        }
        let inputs = (0..<inputChannels).filter { read[$0] }
        let worth = (inputChannels - inputs.count) * ((live + 1) / 2 * 2) > 3 * inputs.count
        return MatrixChannels(order: order, live: live, inputs: inputs.count < inputChannels && worth ? inputs : nil)
    }

    /// Each filter of `rows` (`[taps][inputChannels]` each) with only the input channels `inputs`.
    static func keepingInputs(_ rows: [Int8], inputChannels: Int, inputs: [Int]) -> [Int8] {
        stride(from: 0, to: rows.count, by: inputChannels).flatMap { tap in inputs.map { rows[tap + $0] } }
    }

    /// The rows of `outputs` in `order` (the first `count` of it), for `pairWords`.
    static func rows(_ weights: [Int8], outputs: Int, order: ArraySlice<Int>) -> [Int8] {
        let perOutput = weights.count / max(outputs, 1)
        return order.flatMap { weights[($0 * perOutput)..<(($0 + 1) * perOutput)] }
    }

    /// `conv2d_s8_mm`'s layout: per pair of outputs (a, b) — the last paired with zeros when
    /// `outputs` is odd — per group of 4 of the `depth` positions (zeros past a filter's end),
    /// the words {a[k], b[k], a[k+2], b[k+2]} and {a[k+1], b[k+1], a[k+3], b[k+3]}.
    static func pairWords(_ weights: [Int8], outputs: Int, depth: Int) -> [Int8] {
        let perOutput = weights.count / max(outputs, 1)
        func value(_ o: Int, _ k: Int) -> Int8 { o < outputs && k < perOutput ? weights[o * perOutput + k] : 0 }
        var result: [Int8] = []
        result.reserveCapacity((outputs + 1) / 2 * 2 * depth)
        for a in stride(from: 0, to: outputs, by: 2) {
            for k in stride(from: 0, to: depth, by: 4) {
                result += [value(a, k), value(a + 1, k), value(a, k + 2), value(a + 1, k + 2)]
                result += [value(a, k + 1), value(a + 1, k + 1), value(a, k + 3), value(a + 1, k + 3)]
            }
        }
        return result
    }
}
