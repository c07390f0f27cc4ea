import WhittleTFLite
import WhittleIR

/// Whittle's sample graphs draw their scales as doubles, which TFLite cannot hold: the export
/// refuses them. `rounded` makes the graph Whittle would have built from float32 scales: every
/// scale rounded to float32 and every integer parameter derived again from the rounded scales,
/// as `QGraphBuilder` derives it (a fused activation's clamp as TFLite derives it).
enum Float32Scales {
    static func rounded(_ graph: QGraph) -> QGraph {
        func float32(_ x: Double) -> Double { Double(Float(x)) }
        var result = graph
        for i in result.tensors.indices { result.tensors[i].quant.scale = float32(result.tensors[i].quant.scale) }
        for (i, node) in graph.nodes.enumerated() {
            let input = result.tensors[node.inputs[0]].quant, output = result.tensors[node.output].quant
            /// The clamp the activation that made `clamp` (under the old scale) gives under the new one.
            func clamp(_ clamp: ClampRange) -> ClampRange {
                let old = graph.tensors[node.output].quant
                let pairs: [(FusedActivation, TFLiteActivation)] = [(.none, .none), (.relu, .relu), (.relu6, .relu6)]
                guard let (_, activation) = pairs.first(where: { ClampRange($0.0, output: old) == clamp }) else { return clamp }
                return ClampRange(tflite: activation, scale: Float(output.scale), zeroPoint: output.zeroPoint)!
            }
            func requantization(_ weightScales: [Double]) -> [QuantizedMultiplier] {
                weightScales.map { QuantizedMultiplier(real: input.scale * $0 / output.scale) }
            }
            switch node.op {
            case .conv2d(var conv):
                conv.weightScales = conv.weightScales.map(float32)
                conv.requantization = requantization(conv.weightScales)
                conv.clamp = clamp(conv.clamp)
                result.nodes[i].op = .conv2d(conv)
            case .fullyConnected(var fc):
                fc.weightScales = fc.weightScales.map(float32)
                fc.requantization = requantization(fc.weightScales)
                fc.clamp = clamp(fc.clamp)
                result.nodes[i].op = .fullyConnected(fc)
            case .maxPool(var pool):
                pool.clamp = clamp(pool.clamp)
                result.nodes[i].op = .maxPool(pool)
            case .averagePool(var pool):
                pool.clamp = clamp(pool.clamp)
                result.nodes[i].op = .averagePool(pool)
            case .add(let add):
                result.nodes[i].op = .add(Add(inputs: input, result.tensors[node.inputs[1]].quant, output: output, clamp: clamp(add.clamp)))
            case .softmax(let softmax):
                result.nodes[i].op = .softmax(Softmax(beta: float32(softmax.beta), inputScale: input.scale)!)
            case .mean(let mean):
                let shape = result.tensors[node.inputs[0]].shape
                result.nodes[i].op = .mean(Mean(inputScale: input.scale, outputScale: output.scale, count: shape.height * shape.width, keepDims: mean.keepDims))
            case .reshape, .pad:
                break
            }
        }
        return result
    }
}
