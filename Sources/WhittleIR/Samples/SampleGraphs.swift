/// Graphs with seeded random weights: LeNet for measurements (the shapes issue 6's anchor
/// numbers were taken on) and small random graphs for differential testing of code generators.
public enum SampleGraphs {
    /// LeNet-5 as in the PyTorch tutorial — 28×28×1 → conv 6@5×5, ReLU → max pool 2 → conv
    /// 16@5×5, ReLU → max pool 2 → flatten → fc 120, ReLU → fc 84, ReLU → fc 10 — with random
    /// per-channel int8 weights and `validationCount` random inputs (no labels).
    /// `filters`: the two convs' filter counts (3 and 8 for the filter-pruned LeNet).
    public static func leNet(seed: UInt64 = 1, validationCount: Int = 0, filters: (Int, Int) = (6, 16)) -> QGraph {
        var rng = SeededGenerator(seed: seed)
        let inputQuant = QuantParams(scale: 1.0 / 255, zeroPoint: -128)
        var b = QGraphBuilder(inputShape: TensorShape(height: 28, width: 28, channels: 1), inputQuant: inputQuant,
                              inputDescription: "28x28 grey image, pixel / 255 (0 = black, 1 = white)")
        do {
            var x = b.input
            // ReLU outputs use the whole int8 range above zero (zero point −128), as TFLite does.
            func layer(_ outputs: Int, _ fanIn: Int, _ x: QGraphBuilder.TensorRef, relu: Bool = true) -> RandomLayer {
                RandomLayer(outputs: outputs, fanIn: fanIn, inputScale: b.quant(of: x).scale, style: .full, spread: 1,
                            outputZeroPoint: relu ? -128 : 0, using: &rng)
            }
            var p = layer(filters.0, 25, x)
            x = try b.conv2d(x, name: "conv1", weights: p.weights, weightScales: p.weightScales, bias: p.bias,
                             outputChannels: filters.0, window: Window2D(kernel: 5), output: p.output, activation: .relu)
            x = try b.maxPool(x, name: "pool1", window: Window2D(kernel: 2, stride: 2))
            p = layer(filters.1, 25 * filters.0, x)
            x = try b.conv2d(x, name: "conv2", weights: p.weights, weightScales: p.weightScales, bias: p.bias,
                             outputChannels: filters.1, window: Window2D(kernel: 5), output: p.output, activation: .relu)
            x = try b.maxPool(x, name: "pool2", window: Window2D(kernel: 2, stride: 2))
            x = try b.flatten(x, name: "flatten")
            for (name, outputs, fanIn, relu) in [("fc1", 120, 16 * filters.1, true), ("fc2", 84, 120, true), ("fc3", 10, 84, false)] {
                p = layer(outputs, fanIn, x, relu: relu)
                x = try b.fullyConnected(x, name: name, weights: p.weights, weightScales: p.weightScales, bias: p.bias,
                                         outputCount: outputs, output: p.output, activation: relu ? .relu : .none)
            }
            let inputs = (0..<(validationCount * 784)).map { _ in rng.nextInt8() }
            return try b.finish(output: x, validation: validationCount > 0 ? ValidationSet(count: validationCount, inputs: inputs) : nil)
        } catch {
            preconditionFailure("the LeNet sample must build: \(error)")
        }
    }

    /// A small random graph: 1 to 5 ops chosen among conv (plain, grouped, depthwise with
    /// multiplier 1–2; some after a zero-point pad), max pooling (after a conv, half the time a
    /// tiling window the conv can fold) and average pooling, flatten and fully
    /// connected, softmax, pad, and mean over height and width before a fully connected layer,
    /// a quarter of the graphs ending in a softmax, with random shapes, strides, asymmetric
    /// padding, weights, scales, zero points and fused activations.
    /// Graphs the accumulator-range analysis would refuse are redrawn.
    public static func random(seed: UInt64) -> QGraph {
        redrawn(seed) { var draw = RandomGraphDraw(seed: $0); return try draw.graph() }
    }

    /// A small random graph with residual blocks: the first step and about a third of the others
    /// are `skip + f(skip)`, f being 0 to 3 shape-keeping ops (see `random` for the rest). Its
    /// adds join inputs of unequal scales, read a tensor from two nodes (or twice from one) and
    /// keep it alive across the branch.
    public static func randomResidual(seed: UInt64) -> QGraph {
        redrawn(seed) { var draw = RandomGraphDraw(seed: $0, residual: true); return try draw.graph() }
    }

    /// A random graph of 1 to 3 forks, each 2 to 4 branches (pointwise convs that widen and narrow
    /// the channels, depthwise convs, pools, a fork nested one level) joined back by adds, the
    /// branches' nodes listed interleaved at random: a graph with many topological orders whose
    /// peak memory differs, for the memory schedule and planner.
    public static func randomBranching(seed: UInt64) -> QGraph {
        redrawn(seed) { var draw = RandomBranchingDraw(seed: $0); return try draw.graph() }
    }

    /// The first graph `draw` makes from the seeds derived from `seed`: a draw the builder
    /// refuses (e.g. the accumulator-range analysis) is drawn again.
    private static func redrawn(_ seed: UInt64, _ draw: (UInt64) throws -> QGraph) -> QGraph {
        var attempt: UInt64 = 0
        while true {
            if let graph = try? draw(seed &* 0x1000 &+ attempt) { return graph }
            attempt += 1
        }
    }
}
