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
    /// Inputs per output (a grouped conv's in / groups; 1 for a depthwise conv).
    public let inputs: Int
    public let kernel: (h: Int, w: Int)
    /// Input features that one channel of the producing layer occupies: h·w for a linear layer
    /// reading a flattened [c, h, w] tensor, else 1.
    public let channelBlock: Int
    /// The channel spaces (see `ChannelSpaces`) of its outputs and of its inputs; a depthwise
    /// conv's are the same.
    public let outputSpace: Int, inputSpace: Int
    /// Every BatchNorm on its output channels (its space's): a removed filter also takes their γ and β.
    public let batchNorms: [(name: String, layer: BatchNorm)]
    /// Its outputs are (or are added to) the model's outputs.
    public let isOutput: Bool
    /// Its input channels are (or are added to) the model input's.
    public let readsInput: Bool
    /// groups == in == out: one filter per channel, a member of its input's channel space.
    public let isDepthwise: Bool

    public var weightName: String { name + ".weight" }
    public var weightCount: Int { weight.value.count }
    /// Weights per output: the length of one output's reduction (in·kh·kw).
    public var fanIn: Int { weightCount / outputs }
    /// Input channels in the producer's terms (input features / channelBlock).
    public var inputChannels: Int { inputs / channelBlock }

    /// Every conv2d and linear node of `graph`, in node order.
    public static func all(in graph: Graph) -> [PrunableLayer] { all(in: graph, spaces: ChannelSpaces(graph)) }

    public static func all(in graph: Graph, spaces: ChannelSpaces) -> [PrunableLayer] {
        graph.nodes.indices.compactMap { k in
            let node = graph.nodes[k], out = spaces.space(of: k), read = spaces.inputSpace(of: k)
            let bns = out.batchNorms.map { (graph.nodes[$0].name, graph.nodes[$0].layer as! BatchNorm) }
            let isOutput = out.fixed.contains(.modelOutput), readsInput = read.fixed.contains(.modelInput)
            switch node.layer {
            case let conv as Conv2d:
                return PrunableLayer(name: node.name, node: k, weight: conv.weight, bias: conv.bias, outputs: conv.outChannels,
                                     inputs: conv.inChannels / conv.groups, kernel: conv.kernel, channelBlock: 1,
                                     outputSpace: out.id, inputSpace: read.id, batchNorms: bns, isOutput: isOutput,
                                     readsInput: readsInput, isDepthwise: ChannelSpaces.isDepthwise(conv))
            case let fc as Linear:
                return PrunableLayer(name: node.name, node: k, weight: fc.weight, bias: fc.bias, outputs: fc.outFeatures,
                                     inputs: fc.inFeatures, kernel: (1, 1), channelBlock: spaces.reads[k].block,
                                     outputSpace: out.id, inputSpace: read.id, batchNorms: bns, isOutput: isOutput,
                                     readsInput: readsInput, isDepthwise: false)
            default: return nil
            }
        }
    }
}
