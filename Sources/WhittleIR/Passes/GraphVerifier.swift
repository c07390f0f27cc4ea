/// The rules a lowered graph must keep before any C is written. Each check names its rule, so a
/// failure says which promise was broken (tinygrad's `spec.py` habit).
public enum VerifierRule: String, Sendable, CaseIterable {
    case tensorShape = "tensor-shape"
    case quantParams = "quant-params"
    case tensorReference = "tensor-reference"
    case topologicalOrder = "topological-order"
    case window = "window"
    case outputShape = "output-shape"
    case groups = "groups"
    case weightCount = "weight-count"
    case weightRange = "weight-range"
    case weightFormat = "weight-format"
    case perChannelCount = "per-channel-count"
    case weightScale = "weight-scale"
    case multiplierRange = "multiplier-range"
    case shiftRange = "shift-range"
    case requantizationMatchesScales = "requantization-matches-scales"
    case clampRange = "clamp-range"
    case keepsQuantization = "keeps-quantization"
    case elementCount = "element-count"
    case rowLength = "row-length"
    case padding = "padding"
    case inputOutput = "input-output"
    case validationSet = "validation-set"
    case sizeLimit = "size-limit"
}

/// A graph broke a verifier rule: one line naming where, which rule and what was found.
public struct GraphVerificationError: Error, CustomStringConvertible, Sendable {
    public let location: String
    public let rule: VerifierRule
    public let detail: String

    public var description: String { "\(location) breaks rule \(rule.rawValue): \(detail)" }
}

/// Checks a lowered `QGraph`: sizes under `QGraphLimits`, shapes consistent, no weight outside
/// −127…127, integer kernel parameters in range (multipliers 0 or in [2^30, 2^31), shifts in
/// −31…30), clamps inside int8, requantization consistent with the scales it came from.
///
/// Kernel parameters are integer-typed in the IR, so "no float reaches a kernel" holds by
/// construction; scales survive only as metadata (model.h macros, reports).
public enum GraphVerifier {
    public static func verify(_ graph: QGraph) throws {
        try verifyCounts(graph)
        try verifyTensors(graph)
        try verifyOrder(graph)
        let producers = graph.producers
        for node in graph.nodes {
            try node.op.operation.verify(NodeContext(node: node, graph: graph, producers: producers))
        }
        try verifyWork(graph)
        try verifyInputOutput(graph, producers: producers)
        if let validation = graph.validation {
            try verify(validation, in: graph)
        }
    }

    static func fail(_ location: String, _ rule: VerifierRule, _ detail: String) -> GraphVerificationError {
        GraphVerificationError(location: location, rule: rule, detail: detail)
    }

    private static func verifyTensors(_ graph: QGraph) throws {
        for tensor in graph.tensors {
            let location = "tensor '\(tensor.name)'"
            let s = tensor.shape
            guard s.height > 0, s.width > 0, s.channels > 0 else {
                throw fail(location, .tensorShape, "shape \(s) has a dimension < 1")
            }
            // model.h prints the input and output scales as float literals: 1e300 would print "inff".
            guard tensor.quant.scale.isFinite, tensor.quant.scale > 0, Float(tensor.quant.scale).isNormal else {
                throw fail(location, .quantParams, "scale \(tensor.quant.scale) must be finite and > 0, and a normal float32")
            }
            guard (-128...127).contains(tensor.quant.zeroPoint) else {
                throw fail(location, .quantParams, "zero point \(tensor.quant.zeroPoint) outside −128…127")
            }
        }
        try verifySizes(graph.tensors)
    }

    private static func verifyOrder(_ graph: QGraph) throws {
        let ids = graph.tensors.indices
        guard ids.contains(graph.input), ids.contains(graph.output) else {
            throw fail("graph", .tensorReference, "input \(graph.input) or output \(graph.output) is not a tensor index (0..<\(graph.tensors.count))")
        }
        var defined = Set([graph.input])
        for node in graph.nodes {
            let location = "node '\(node.name)' (\(node.op.kindName))"
            guard node.inputs.count == node.op.inputCount else {
                throw fail(location, .tensorReference, "takes \(node.op.inputCount) input\(node.op.inputCount == 1 ? "" : "s"), has \(node.inputs.count)")
            }
            for t in node.inputs + [node.output] where !ids.contains(t) {
                throw fail(location, .tensorReference, "tensor index \(t) outside 0..<\(graph.tensors.count)")
            }
            for t in node.inputs where !defined.contains(t) {
                throw fail(location, .topologicalOrder, "reads '\(graph.tensors[t].name)' before any node produces it")
            }
            guard defined.insert(node.output).inserted else {
                throw fail(location, .topologicalOrder, "writes '\(graph.tensors[node.output].name)', which already has a producer")
            }
        }
        guard defined.contains(graph.output) else {
            throw fail("graph", .topologicalOrder, "no node produces the output '\(graph.outputTensor.name)'")
        }
    }

    static func verifyWindow(_ w: Window2D, input: QTensor, output: QTensor, pooledBy pool: FoldedMaxPool? = nil,
                                     _ location: String) throws {
        guard w.kernelHeight >= 1, w.kernelWidth >= 1, w.strideHeight >= 1, w.strideWidth >= 1 else {
            throw fail(location, .window, "kernel \(w.kernelHeight)x\(w.kernelWidth) and stride \(w.strideHeight)x\(w.strideWidth) must be ≥ 1")
        }
        let pads = [w.padTop, w.padBottom, w.padLeft, w.padRight]
        guard pads.allSatisfy({ $0 >= 0 }), w.padTop < w.kernelHeight, w.padBottom < w.kernelHeight,
              w.padLeft < w.kernelWidth, w.padRight < w.kernelWidth else {
            throw fail(location, .window, "padding \(pads) must be ≥ 0 and smaller than the kernel \(w.kernelHeight)x\(w.kernelWidth)")
        }
        try verifySize(w, location)
        guard let size = w.outputSize(height: input.shape.height, width: input.shape.width) else {
            throw fail(location, .window, "kernel \(w.kernelHeight)x\(w.kernelWidth) does not fit the padded input \(input.shape)")
        }
        var expected = size
        if let pool {
            guard pool.height >= 1, pool.width >= 1, pool.height <= size.height, pool.width <= size.width else {
                throw fail(location, .window, "a folded \(pool.height)x\(pool.width) max pool does not fit the \(size.height)x\(size.width) conv output")
            }
            expected = (size.height / pool.height, size.width / pool.width)
        }
        guard expected.height == output.shape.height, expected.width == output.shape.width else {
            throw fail(location, .outputShape, "output is \(output.shape.height)x\(output.shape.width), the window gives \(expected.height)x\(expected.width)")
        }
    }

    static func verifyAffine(weights: WeightStorage, scales: [Double], bias: [Int32],
                                     requantization: [QuantizedMultiplier], clamp: ClampRange,
                                     outputs: Int, perOutput: Int, reductionChannels: Int, input: QTensor, output: QTensor,
                                     _ location: String) throws {
        guard weights.count == outputs * perOutput else {
            throw fail(location, .weightCount, "\(weights.count) weights, expected \(outputs) outputs × \(perOutput)")
        }
        if let problem = weights.problem(outputs: outputs, perOutput: perOutput) {
            throw fail(location, .weightFormat, problem)
        }
        if case .nm(let nm) = weights, nm.channels != reductionChannels {
            throw fail(location, .weightFormat, "\(nm.n):\(nm.m) groups run over \(nm.channels) channels, the op's reduction has \(reductionChannels)")
        }
        if let bad = weights.denseValues.firstIndex(of: -128) {
            throw fail(location, .weightRange, "weight \(bad) is −128; symmetric weights stay in −127…127")
        }
        for (what, count) in [("bias", bias.count), ("requantization", requantization.count), ("weight scale", scales.count)]
            where count != outputs {
            throw fail(location, .perChannelCount, "\(count) \(what) entries for \(outputs) output channels")
        }
        for c in 0..<outputs {
            guard scales[c].isFinite, scales[c] > 0 else {
                throw fail(location, .weightScale, "channel \(c) weight scale \(scales[c]) must be finite and > 0")
            }
            let m = requantization[c]
            guard m.multiplier == 0 || m.multiplier >= 1 << 30 else {
                throw fail(location, .multiplierRange, "channel \(c) has M0 = \(m.multiplier); expected 0 or in [2^30, 2^31)")
            }
            guard (-31...30).contains(m.shift), m.multiplier != 0 || m.shift == 0 else {
                throw fail(location, .shiftRange, "channel \(c) has shift \(m.shift); expected −31…30 (0 when M0 = 0)")
            }
            // Finite scales can still multiply past the largest Double.
            let real = input.quant.scale * scales[c] / output.quant.scale
            guard real.isFinite else {
                throw fail(location, .weightScale, "channel \(c) weight scale \(scales[c]) makes the multiplier s_in · s_w / s_out \(real)")
            }
            let expected = QuantizedMultiplier(real: real)
            guard m == expected else {
                throw fail(location, .requantizationMatchesScales,
                           "channel \(c) has (M0 \(m.multiplier), shift \(m.shift)), the scales give (\(expected.multiplier), \(expected.shift))")
            }
        }
        try verifyClamp(clamp, location)
    }

    static func verifyClamp(_ clamp: ClampRange, _ location: String) throws {
        guard clamp.min <= clamp.max, clamp.min >= -128, clamp.max <= 127 else {
            throw fail(location, .clampRange, "act_min \(clamp.min) … act_max \(clamp.max) must be ordered and inside −128…127")
        }
    }

    static func verifySameQuantization(_ input: QTensor, _ output: QTensor, _ location: String) throws {
        guard input.quant == output.quant else {
            throw fail(location, .keepsQuantization, "output quantization \(output.quant) differs from input \(input.quant)")
        }
    }

    /// The output must be computed: a chain of reshapes from the input would leave nothing to run.
    private static func verifyInputOutput(_ graph: QGraph, producers: [TensorID: Int]) throws {
        if let table = graph.rawInputTable, table.count != 256 {
            throw fail("graph", .inputOutput, "the raw input table has \(table.count) entries, one per byte value (256) expected")
        }
        var tensor = graph.output
        while tensor != graph.input {
            guard let p = producers[tensor], case .reshape = graph.nodes[p].op else { return }
            tensor = graph.nodes[p].inputs[0]
        }
        throw fail("graph", .inputOutput, "the output '\(graph.outputTensor.name)' is the input or a reshape of it; the graph computes nothing")
    }

    private static func verify(_ set: ValidationSet, in graph: QGraph) throws {
        let location = "validation set"
        try verifySize(set, in: graph)
        guard set.count >= 0, set.inputs.count == set.count * graph.inputTensor.byteCount else {
            throw fail(location, .validationSet, "\(set.inputs.count) input bytes for \(set.count) inputs of \(graph.inputTensor.byteCount)")
        }
        if let labels = set.labels, labels.count != set.count {
            throw fail(location, .validationSet, "\(labels.count) labels for \(set.count) inputs")
        }
        if let logits = set.floatLogits {
            guard logits.count == set.count * graph.outputTensor.byteCount else {
                throw fail(location, .validationSet, "\(logits.count) float logits for \(set.count) outputs of \(graph.outputTensor.byteCount)")
            }
            if let bad = logits.firstIndex(where: { !$0.isFinite }) {
                throw fail(location, .validationSet, "float logit \(bad) is \(logits[bad])")
            }
        }
        if let expected = set.expectedOutputs, expected.count != set.count * graph.outputTensor.byteCount {
            throw fail(location, .validationSet, "\(expected.count) expected output bytes for \(set.count) outputs of \(graph.outputTensor.byteCount)")
        }
        if set.reconstruction != nil, graph.inputTensor.byteCount != graph.outputTensor.byteCount {
            throw fail(location, .validationSet, "a reconstruction needs as many outputs as inputs; the model has \(graph.inputTensor.byteCount) inputs and \(graph.outputTensor.byteCount) outputs")
        }
    }
}
