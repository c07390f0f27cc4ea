import WhittleCompress
import WhittleIR
import WhittleNN
import WhittleTensor

/// How weights are quantized; activations are always int8 asymmetric per tensor. Weights are
/// stored dense with their zeros: each target's `emit` chooses how to store them
/// (WhittleCodegen's `choose-sparse-format` pass).
public struct QuantizationScheme: Equatable, Sendable {
    public var perChannelWeights: Bool
    /// Every scale rounded to float32 before it is used, as TFLite stores scales (see
    /// `ActivationQuantization.params`): what a model needs to export to TFLite exactly.
    public var float32Scales: Bool
    public init(perChannelWeights: Bool = true, float32Scales: Bool = false) {
        self.perChannelWeights = perChannelWeights
        self.float32Scales = float32Scales
    }
}

/// Post-training static quantization: a float graph plus calibrated ranges → a QGraph.
public enum PostTrainingQuantization {
    public static func lower(_ graph: Graph, calibration: CalibrationResult, scheme: QuantizationScheme = .init(),
                             inputDescription: String, validation: ValidationSet? = nil) throws -> QGraph {
        let fused = try Fusion.fuse(graph)
        let inputQuant = ActivationQuantization.params(for: calibration.input, float32Scale: scheme.float32Scales)
        var b = QGraphBuilder(inputShape: irShape(fused.inputShape), inputQuant: inputQuant, inputDescription: inputDescription)
        var outputs: [QGraphBuilder.TensorRef] = []
        for step in fused.steps {
            let inputs = step.inputs.map { $0 == FusedModel.input ? b.input : outputs[$0] }
            let x = inputs[0]
            func outputQuant() throws -> QuantParams {
                guard let range = calibration.outputs[step.outputNode] else {
                    throw LoweringError("layer '\(step.name)': no calibrated range for node '\(step.outputNode)'")
                }
                guard range.min.isFinite, range.max.isFinite else {
                    throw LoweringError("layer '\(step.name)': calibrated output range [\(range.min), \(range.max)] is not finite (the float model overflows on the calibration data)")
                }
                return ActivationQuantization.params(for: range, float32Scale: scheme.float32Scales)
            }
            do {
                switch step.op {
                case .conv(let c):
                    let w = WeightQuantization.symmetric(c.weight, perChannel: scheme.perChannelWeights, float32Scales: scheme.float32Scales)
                    let bias = try WeightQuantization.bias(c.bias, inputScale: b.quant(of: x).scale, weightScales: w.scales, layer: step.name)
                    let window = Window2D(kernel: (c.weight.shape[2], c.weight.shape[3]), stride: c.stride, padding: c.padding)
                    outputs.append(try b.conv2d(x, name: step.name, weights: w.values, weightScales: w.scales, bias: bias,
                                                outputChannels: c.weight.shape[0], window: window, groups: c.groups,
                                                output: try outputQuant(), activation: activation(c.activation)))
                case .fullyConnected(let f):
                    let w = WeightQuantization.symmetric(f.weight, perChannel: scheme.perChannelWeights, float32Scales: scheme.float32Scales)
                    let bias = try WeightQuantization.bias(f.bias, inputScale: b.quant(of: x).scale, weightScales: w.scales, layer: step.name)
                    outputs.append(try b.fullyConnected(x, name: step.name, weights: w.values, weightScales: w.scales, bias: bias,
                                                        outputCount: f.weight.shape[0], output: try outputQuant(), activation: activation(f.activation)))
                case .maxPool(let p):
                    outputs.append(try b.maxPool(x, name: step.name, window: Window2D(p)))
                case .avgPool(let p):
                    outputs.append(try b.averagePool(x, name: step.name, window: Window2D(p)))
                case .reshape:
                    outputs.append(try b.flatten(x, name: step.name))
                case .add(let a):
                    outputs.append(try b.add(x, inputs[1], name: step.name, output: try outputQuant(), activation: activation(a)))
                case .softmax:
                    outputs.append(try b.softmax(x, name: step.name))
                }
            } catch let e as GraphBuildError {
                throw LoweringError(e.description)
            }
        }
        return try b.finish(output: outputs[fused.output], validation: validation)
    }

    /// The IR's channels-last shape for a float per-sample shape [C, H, W] or [F].
    public static func irShape(_ shape: [Int]) -> TensorShape {
        shape.count == 3 ? TensorShape(height: shape[1], width: shape[2], channels: shape[0]) : TensorShape(vector: shape.reduce(1, *))
    }

    static func activation(_ a: FusedModel.Activation) -> FusedActivation {
        switch a {
        case .none: return .none
        case .relu: return .relu
        case .relu6: return .relu6
        }
    }
}

/// The `.q` file's validation set: test inputs quantized with the graph's input parameters
/// (channels-last), their labels, and the float model's logits on the same float inputs.
/// 8-bit data is quantized through `RawInputTable`, the function firmware gets.
public enum ValidationSetBuilder {
    /// `floatLogits`: the float model's logits on `data` when already computed (QAT computes them
    /// before training changes the weights); else `graph`'s.
    public static func make(_ graph: Graph, data: Dataset, inputQuant: QuantParams, floatLogits: Tensor? = nil) -> ValidationSet {
        let shape = PostTrainingQuantization.irShape(data.sampleShape)
        let logits = floatLogits ?? Evaluator.logits(graph, on: data)
        if case .bytes(let raw) = data.values {
            let table = RawInputTable.make(normalization: data.normalization, inputQuant: inputQuant)
            var inputs: [Int8] = []
            inputs.reserveCapacity(raw.count)
            for i in 0..<data.count {
                inputs += shape.channelsLast(fromChannelsFirst: raw[(i * data.sampleSize)..<((i + 1) * data.sampleSize)].map { table[Int($0)] })
            }
            return ValidationSet(count: data.count, inputs: inputs, labels: data.labels, floatLogits: logits.storage)
        }
        var inputs: [Int8] = []
        inputs.reserveCapacity(data.count * data.sampleSize)
        let batchSize = 500
        for start in stride(from: 0, to: data.count, by: batchSize) {
            let (x, _) = data.batch(start..<min(start + batchSize, data.count))
            for i in 0..<x.shape[0] {
                let sample = x.storage[(i * data.sampleSize)..<((i + 1) * data.sampleSize)].map { inputQuant.quantize(Double($0)) }
                inputs += shape.channelsLast(fromChannelsFirst: sample)
            }
        }
        return ValidationSet(count: data.count, inputs: inputs, labels: data.labels, floatLogits: logits.storage)
    }
}
