/// Builds a `QGraph` from what a front end (the float → integer lowering) knows: int8 weights
/// in PyTorch's layouts, int32 biases, real-valued scales and layer geometry. It computes every
/// integer kernel parameter — per-channel (M0, shift) from `s_in · s_w[c] / s_out`, clamp
/// bounds of fused activations — and reorders weights into the IR's channels-last order.
/// WhittleLower (`WeightQuantization`) turns real weights and biases into the int8 / int32 it takes.
///
/// ```swift
/// var b = QGraphBuilder(inputShape: TensorShape(height: 28, width: 28, channels: 1),
///                       inputQuant: QuantParams(scale: 1.0 / 255, zeroPoint: -128),
///                       inputDescription: "28x28 grey, pixel/255")
/// var x = b.input
/// x = try b.conv2d(x, name: "conv1", weights: w1, weightScales: s1, bias: b1, outputChannels: 6,
///                  window: Window2D(kernel: 5), output: q1, activation: .relu)
/// x = try b.maxPool(x, name: "pool1", window: Window2D(kernel: 2, stride: 2))
/// x = try b.flatten(x, name: "flatten")
/// x = try b.fullyConnected(x, name: "fc", weights: w2, weightScales: s2, bias: b2,
///                          outputCount: 10, output: q2, activation: .none)
/// let graph = try b.finish(output: x)
/// ```
public struct QGraphBuilder {
    /// A tensor of the graph under construction.
    public struct TensorRef: Hashable, Sendable {
        public let id: TensorID
    }

    private var tensors: [QTensor]
    private var nodes: [QNode] = []
    private let inputDescription: String
    /// For tensors that are a flatten of a channels-last tensor: that tensor's shape, so a fully
    /// connected layer can map PyTorch's channels-first flatten order onto ours.
    private var flattenedFrom: [TensorID: TensorShape] = [:]

    public init(inputShape: TensorShape, inputQuant: QuantParams, inputName: String = "input",
                inputDescription: String) {
        tensors = [QTensor(name: inputName, shape: inputShape, quant: inputQuant)]
        self.inputDescription = inputDescription
    }

    public var input: TensorRef { TensorRef(id: 0) }

    public func shape(of tensor: TensorRef) -> TensorShape { tensors[tensor.id].shape }

    public func quant(of tensor: TensorRef) -> QuantParams { tensors[tensor.id].quant }

    /// A convolution. `weights` are in PyTorch's `[out][in / groups][kernelY][kernelX]` order;
    /// `groups == in channels` makes it depthwise. Padding taps read the input zero point.
    /// `format` stores the weights compressed (the N:M groups run in the PyTorch order given here).
    public mutating func conv2d(_ x: TensorRef, name: String, weights: [Int8], weightScales: [Double],
                                bias: [Int32], outputChannels: Int, window: Window2D, groups: Int = 1,
                                output: QuantParams, activation: FusedActivation,
                                format: WeightFormat = .dense) throws -> TensorRef {
        let inShape = tensors[x.id].shape
        guard groups >= 1, inShape.channels % groups == 0, outputChannels % groups == 0 else {
            throw GraphBuildError(layer: name, "groups \(groups) must divide input channels \(inShape.channels) and output channels \(outputChannels)")
        }
        guard let size = window.outputSize(height: inShape.height, width: inShape.width) else {
            throw GraphBuildError(layer: name, "a \(window.kernelHeight)x\(window.kernelWidth) kernel does not fit the input \(inShape)")
        }
        let perGroup = inShape.channels / groups
        let (kh, kw) = (window.kernelHeight, window.kernelWidth)
        try expectCount(weights.count, outputChannels * perGroup * kh * kw, "weights", name)
        var reordered = weights
        for o in 0..<outputChannels {
            for i in 0..<perGroup {
                for y in 0..<kh {
                    for x in 0..<kw {
                        reordered[((o * kh + y) * kw + x) * perGroup + i] = weights[((o * perGroup + i) * kh + y) * kw + x]
                    }
                }
            }
        }
        let storage = try encode(reordered, format, outputs: outputChannels, channels: perGroup, name)
        let op = Conv2D(window: window, groups: groups, weights: storage, weightScales: weightScales,
                        bias: bias, requantization: [], clamp: ClampRange(activation, output: output))
        let outShape = TensorShape(height: size.height, width: size.width, channels: outputChannels)
        return try append(name: name, input: x, outShape: outShape, quant: output) { inputScale in
            var conv = op
            conv.requantization = try Self.requantization(name, inputScale, weightScales, bias.count, outputChannels, output)
            return .conv2d(conv)
        }
    }

    /// A fully connected layer. `weights` are `[out][in]` with `in` in PyTorch's flatten order
    /// (channels-first) of the input; they are reordered to the channels-last order here.
    /// `format` stores the weights compressed (the N:M groups run in the PyTorch order given here).
    public mutating func fullyConnected(_ x: TensorRef, name: String, weights: [Int8], weightScales: [Double],
                                        bias: [Int32], outputCount: Int, output: QuantParams,
                                        activation: FusedActivation, format: WeightFormat = .dense) throws -> TensorRef {
        let source = flattenedFrom[x.id] ?? tensors[x.id].shape
        let inCount = source.elementCount
        try expectCount(weights.count, outputCount * inCount, "weights", name)
        var reordered = weights
        for o in 0..<outputCount {
            let row = Array(weights[(o * inCount)..<((o + 1) * inCount)])
            reordered.replaceSubrange((o * inCount)..<((o + 1) * inCount), with: source.channelsLast(fromChannelsFirst: row))
        }
        let storage = try encode(reordered, format, outputs: outputCount, channels: source.channels, name)
        let op = FullyConnected(weights: storage, weightScales: weightScales, bias: bias,
                                requantization: [], clamp: ClampRange(activation, output: output))
        return try append(name: name, input: x, outShape: TensorShape(vector: outputCount), quant: output) { inputScale in
            var fc = op
            fc.requantization = try Self.requantization(name, inputScale, weightScales, bias.count, outputCount, output)
            return .fullyConnected(fc)
        }
    }

    public mutating func maxPool(_ x: TensorRef, name: String, window: Window2D,
                                 activation: FusedActivation = .none) throws -> TensorRef {
        try pool(x, name: name, window: window, activation: activation, makeOp: QOp.maxPool)
    }

    public mutating func averagePool(_ x: TensorRef, name: String, window: Window2D,
                                     activation: FusedActivation = .none) throws -> TensorRef {
        try pool(x, name: name, window: window, activation: activation, makeOp: QOp.averagePool)
    }

    /// The elementwise sum of two tensors of one shape (a residual join; `a` and `b` may be the
    /// same tensor), requantized to `output` as TFLite's `ADD` does (see `Add`).
    public mutating func add(_ a: TensorRef, _ b: TensorRef, name: String, output: QuantParams,
                             activation: FusedActivation = .none) throws -> TensorRef {
        guard tensors.indices.contains(b.id) else {
            throw GraphBuildError(layer: name, "input tensor \(b.id) does not belong to this builder")
        }
        let (first, second) = (tensors[a.id], tensors[b.id])
        guard first.shape == second.shape else {
            throw GraphBuildError(layer: name, "adds \(first.shape) to \(second.shape); add needs one shape")
        }
        guard [first.quant.scale, second.quant.scale, output.scale].allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw GraphBuildError(layer: name, "scales must be finite and > 0")
        }
        let op = Add(inputs: first.quant, second.quant, output: output, clamp: ClampRange(activation, output: output))
        return try append(name: name, inputs: [a, b], outShape: first.shape, quant: output) { _ in .add(op) }
    }

    /// Softmax over each pixel's channels with TFLite's `beta` (see `Softmax`); the output is
    /// quantized as TFLite's int8 softmax requires (scale 1/256, zero point −128), the integer
    /// parameters derived from `beta` and the input scale as TFLite's `SoftmaxPrepare` does.
    public mutating func softmax(_ x: TensorRef, name: String, beta: Double = 1) throws -> TensorRef {
        try checkOwned(x, name)
        let input = tensors[x.id]
        guard input.shape.channels <= Softmax.maxRowLength else {
            throw GraphBuildError(layer: name, "softmax over \(input.shape.channels) channels; at most \(Softmax.maxRowLength) (TFLite's reference exponent check)")
        }
        guard beta.isFinite, beta > 0, let op = Softmax(beta: beta, inputScale: input.quant.scale) else {
            throw GraphBuildError(layer: name, "beta \(beta) with input scale \(input.quant.scale): beta · scale · 2^26 must be above 1")
        }
        return try append(name: name, input: x, outShape: input.shape, quant: Softmax.outputQuant) { _ in .softmax(op) }
    }

    /// The mean over height and width of each channel, requantized to `output` as TFLite's
    /// reference `MEAN` does (see `Mean`): a 1×1×C tensor. `keepDims` is TFLite's flag, recorded
    /// for export (the layout is the same either way).
    public mutating func mean(_ x: TensorRef, name: String, output: QuantParams, keepDims: Bool = true) throws -> TensorRef {
        try checkOwned(x, name)
        let input = tensors[x.id]
        let real = input.quant.scale / output.scale
        guard output.scale.isFinite, output.scale > 0, real.isFinite else {
            throw GraphBuildError(layer: name, "output scale \(output.scale) must be finite and > 0 (and s_in / s_out finite)")
        }
        let op = Mean(inputScale: input.quant.scale, outputScale: output.scale, count: input.shape.height * input.shape.width, keepDims: keepDims)
        return try append(name: name, input: x, outShape: TensorShape(height: 1, width: 1, channels: input.shape.channels), quant: output) { _ in
            .mean(op)
        }
    }

    /// Pads height, width and channels with the input's zero point (TFLite's int8 `PAD` with
    /// paddings `[[0, 0], [top, bottom], [left, right], [channelsBefore, channelsAfter]]`); the
    /// output keeps the input's quantization.
    public mutating func pad(_ x: TensorRef, name: String, top: Int = 0, bottom: Int = 0, left: Int = 0, right: Int = 0,
                             channelsBefore: Int = 0, channelsAfter: Int = 0) throws -> TensorRef {
        try checkOwned(x, name)
        let op = Pad(top: top, bottom: bottom, left: left, right: right, channelsBefore: channelsBefore, channelsAfter: channelsAfter)
        guard op.amounts.allSatisfy({ (0...QGraphLimits.maxDimension).contains($0) }), let shape = op.outputShape(input: tensors[x.id].shape) else {
            throw GraphBuildError(layer: name, "paddings \(op.amounts) must be in 0…\(QGraphLimits.maxDimension)")
        }
        return try append(name: name, input: x, outShape: shape, quant: tensors[x.id].quant) { _ in .pad(op) }
    }

    /// Flattens to a vector (no copy). A following fully connected layer takes its weights in
    /// the channels-first flatten order of the tensor flattened here.
    public mutating func flatten(_ x: TensorRef, name: String) throws -> TensorRef {
        let shape = tensors[x.id].shape
        let flat = try append(name: name, input: x, outShape: TensorShape(vector: shape.elementCount),
                              quant: tensors[x.id].quant) { _ in .reshape }
        flattenedFrom[flat.id] = flattenedFrom[x.id] ?? shape
        return flat
    }

    /// The finished graph, checked by `GraphVerifier` and the accumulator-range analysis.
    public func finish(output: TensorRef, validation: ValidationSet? = nil) throws -> QGraph {
        let graph = QGraph(tensors: tensors, nodes: nodes, input: 0, output: output.id,
                           inputDescription: inputDescription, validation: validation)
        try GraphVerifier.verify(graph)
        _ = try AccumulatorRangeAnalysis.check(graph)
        return graph
    }

    // MARK: - Helpers

    private mutating func pool(_ x: TensorRef, name: String, window: Window2D, activation: FusedActivation,
                               makeOp: (Pool2D) -> QOp) throws -> TensorRef {
        let inShape = tensors[x.id].shape
        guard let size = window.outputSize(height: inShape.height, width: inShape.width) else {
            throw GraphBuildError(layer: name, "a \(window.kernelHeight)x\(window.kernelWidth) window does not fit the input \(inShape)")
        }
        let quant = tensors[x.id].quant
        let op = makeOp(Pool2D(window: window, clamp: ClampRange(activation, output: quant)))
        let outShape = TensorShape(height: size.height, width: size.width, channels: inShape.channels)
        return try append(name: name, input: x, outShape: outShape, quant: quant) { _ in op }
    }

    private func checkOwned(_ x: TensorRef, _ name: String) throws {
        guard tensors.indices.contains(x.id) else {
            throw GraphBuildError(layer: name, "input tensor \(x.id) does not belong to this builder")
        }
    }

    private mutating func append(name: String, input: TensorRef, outShape: TensorShape, quant: QuantParams,
                                 makeOp: (_ inputScale: Double) throws -> QOp) throws -> TensorRef {
        try append(name: name, inputs: [input], outShape: outShape, quant: quant, makeOp: makeOp)
    }

    /// `makeOp` gets the first input's scale.
    private mutating func append(name: String, inputs: [TensorRef], outShape: TensorShape, quant: QuantParams,
                                 makeOp: (_ inputScale: Double) throws -> QOp) throws -> TensorRef {
        let input = inputs[0]
        guard inputs.allSatisfy({ tensors.indices.contains($0.id) }) else {
            throw GraphBuildError(layer: name, "input tensor \(input.id) does not belong to this builder")
        }
        guard !nodes.contains(where: { $0.name == name }) else {
            throw GraphBuildError(layer: name, "a layer of that name already exists")
        }
        let op = try makeOp(tensors[input.id].quant.scale)
        tensors.append(QTensor(name: name, shape: outShape, quant: quant))
        let output = tensors.count - 1
        nodes.append(QNode(name: name, op: op, inputs: inputs.map(\.id), output: output))
        return TensorRef(id: output)
    }

    private func encode(_ logical: [Int8], _ format: WeightFormat, outputs: Int, channels: Int, _ layer: String) throws -> WeightStorage {
        guard format == .dense || outputs > 0 else { throw GraphBuildError(layer: layer, "a layer needs at least one output") }
        do {
            return try WeightStorage(encoding: logical, as: format, outputs: outputs, channels: channels)
        } catch let error as WeightFormatError {
            throw GraphBuildError(layer: layer, error.description)
        }
    }

    private func expectCount(_ actual: Int, _ expected: Int, _ what: String, _ layer: String) throws {
        guard actual == expected else {
            throw GraphBuildError(layer: layer, "\(actual) \(what), expected \(expected)")
        }
    }

    /// Per-channel (M0, shift) of `s_in · s_w[c] / s_out`, the only place a scale becomes an
    /// integer kernel parameter.
    private static func requantization(_ layer: String, _ inputScale: Double, _ weightScales: [Double],
                                       _ biasCount: Int, _ channels: Int, _ output: QuantParams) throws -> [QuantizedMultiplier] {
        guard weightScales.count == channels, biasCount == channels else {
            throw GraphBuildError(layer: layer, "\(weightScales.count) weight scales and \(biasCount) biases for \(channels) output channels")
        }
        let scales = weightScales + [inputScale, output.scale]
        if let bad = scales.first(where: { !$0.isFinite || $0 <= 0 }) {
            throw GraphBuildError(layer: layer, "scale \(bad) must be finite and > 0")
        }
        return weightScales.map { QuantizedMultiplier(real: inputScale * $0 / output.scale) }
    }
}
