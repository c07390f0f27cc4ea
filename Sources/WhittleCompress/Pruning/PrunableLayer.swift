import WhittleNN
import WhittleTensor

/// A conv2d or linear node of a graph, with the context that structured pruning needs.
/// Weights are seen in PyTorch order as [outputs, inputs, kernel rows, kernel columns]; a linear
/// layer is a 1×1 convolution.
public struct PrunableLayer {
    public let name: String
    /// Node index in the graph.
    public let node: Int
    public let weight: Parameter
    public let bias: Parameter?
    public let outputs: Int
    public let inputs: Int
    public let kernel: (h: Int, w: Int)
    /// Input features that one channel of the producing layer occupies: h·w for a linear layer
    /// reading a flattened [c, h, w] tensor, else 1.
    public let channelBlock: Int
    /// The first BatchNorm after this layer, reached only through activations, pooling and
    /// dropout: a removed filter also takes its γ and β.
    public let batchNorm: (name: String, layer: BatchNorm)?
    /// No conv2d or linear layer follows: its outputs are the model's outputs.
    public let isOutput: Bool
    /// Its input channels are the model input's (nothing with weights comes before it).
    public let readsInput: Bool

    public var weightName: String { name + ".weight" }
    public var weightCount: Int { weight.value.count }
    /// Weights per output: the length of one output's reduction (in·kh·kw).
    public var fanIn: Int { weightCount / outputs }
    /// Input channels in the producer's terms (input features / channelBlock).
    public var inputChannels: Int { inputs / channelBlock }

    /// Every conv2d and linear node of `graph`, in node order.
    public static func all(in graph: Graph) -> [PrunableLayer] {
        let nodes = graph.nodes
        let weighted = nodes.indices.filter { nodes[$0].layer is Conv2d || nodes[$0].layer is Linear }
        return weighted.map { k in
            let node = nodes[k]
            // Walk back to what feeds this layer, noting a flatten on the way.
            var block = 1, readsInput = false, p = node.inputs[0]
            while true {
                if p == Graph.input { readsInput = true; break }
                let producer = nodes[p]
                if producer.layer is Conv2d || producer.layer is Linear || producer.layer == nil { break }
                if producer.layer is Flatten, producer.inputShape.count == 3 { block = producer.inputShape[1] * producer.inputShape[2] }
                p = producer.inputs[0]
            }
            var bn: (String, BatchNorm)?
            for j in (k + 1)..<nodes.count {
                guard nodes[j].inputs == [j - 1], let layer = nodes[j].layer, channelPreserving(layer) || layer is BatchNorm else { break }
                if let b = layer as? BatchNorm { bn = (nodes[j].name, b); break }
            }
            let isOutput = weighted.last == k
            switch node.layer {
            case let conv as Conv2d:
                return PrunableLayer(name: node.name, node: k, weight: conv.weight, bias: conv.bias, outputs: conv.outChannels,
                                     inputs: conv.inChannels / conv.groups, kernel: conv.kernel, channelBlock: 1,
                                     batchNorm: bn, isOutput: isOutput, readsInput: readsInput)
            case let fc as Linear:
                return PrunableLayer(name: node.name, node: k, weight: fc.weight, bias: fc.bias, outputs: fc.outFeatures,
                                     inputs: fc.inFeatures, kernel: (1, 1), channelBlock: fc.inFeatures % block == 0 ? block : 1,
                                     batchNorm: bn, isOutput: isOutput, readsInput: readsInput)
            default: fatalError("unreachable: only conv2d and linear nodes are listed")
            }
        }
    }

    /// Layers that keep channel c of their input at channel c of their output and map a zero
    /// channel to a zero channel (so a removed channel can pass through them).
    static func channelPreserving(_ layer: Layer) -> Bool {
        layer is ClampActivation || layer is MaxPool2d || layer is AvgPool2d || layer is Dropout
    }
}
