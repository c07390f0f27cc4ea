import WhittleNN
import WhittleTensor

/// Dynamic quantization as an evaluation mode (PyTorch's `quantize_dynamic`, extended to conv):
/// weights int8 symmetric per output channel, and each conv/linear input quantized to int8 at
/// run time with the range of that very sample; everything else stays float. It needs no
/// calibration, so it is the baseline static quantization is compared with. Swift-side only: the
/// emitted C stays static and integer-only.
public enum DynamicQuantization {
    /// A copy of `graph` for evaluation, its conv/linear layers replaced by dynamic ones.
    public static func model(_ graph: Graph, perChannel: Bool = true) throws -> Graph {
        let copy = Graph(inputShape: graph.inputShape)
        for node in graph.nodes {
            switch node.op {
            case .layer(let layer) where layer is Conv2d || layer is Linear:
                try copy.append(node.name, .layer(DynamicQuantizedLayer(layer, perChannel: perChannel)), inputs: node.inputs)
            default:
                try copy.append(node.name, node.op, inputs: node.inputs)
            }
        }
        return copy
    }
}

/// Evaluation-only conv/linear: per-sample int8 input, int8 weights, float output.
final class DynamicQuantizedLayer: LayerBase, Layer {
    let base: Layer
    private let quantized: Layer

    init(_ base: Layer, perChannel: Bool) {
        self.base = base
        var rng = RNG(seed: 0) // weights are copied in below
        switch base {
        case let c as Conv2d:
            let q = Conv2d(inChannels: c.inChannels, outChannels: c.outChannels, kernel: (c.kernel.h, c.kernel.w),
                           stride: (c.stride.h, c.stride.w), padding: c.padding, groups: c.groups,
                           bias: c.bias != nil, rng: &rng)
            q.weight.value = c.weight.value
            if let b = c.bias { q.bias!.value = b.value }
            FakeQuantization.symmetricPerChannel(&q.weight.value, perChannel: perChannel)
            quantized = q
        case let l as Linear:
            let q = Linear(inFeatures: l.inFeatures, outFeatures: l.outFeatures, bias: l.bias != nil, rng: &rng)
            q.weight.value = l.weight.value
            if let b = l.bias { q.bias!.value = b.value }
            FakeQuantization.symmetricPerChannel(&q.weight.value, perChannel: perChannel)
            quantized = q
        default:
            preconditionFailure("dynamic quantization wraps conv2d or linear, got \(base.kind)")
        }
    }

    var kind: String { "dynamic_" + base.kind }
    func outputShape(for input: [Int]) throws -> [Int] { try base.outputShape(for: input) }
    func macs(for input: [Int]) -> Int { base.macs(for: input) }

    func forward(_ x: Tensor, mode: Mode) -> Tensor {
        var xq = x
        let n = x.shape[0], size = x.count / max(n, 1)
        for i in 0..<n {
            let sample = x.storage[(i * size)..<((i + 1) * size)]
            let grid = FakeQuantization.Grid(range: ObservedRange(min: sample.min() ?? 0, max: sample.max() ?? 0))
            for j in (i * size)..<((i + 1) * size) { xq.storage[j] = grid.apply(x.storage[j]) }
        }
        return quantized.forward(xq, mode: .eval)
    }

    func backward(_ gradOutput: Tensor) -> Tensor {
        preconditionFailure("dynamic quantization is an evaluation mode")
    }
}
