/// One operation applied to tensors of the graph.
public struct QNode: Hashable, Sendable {
    public var name: String
    public var op: QOp
    /// `op.inputCount` tensors: one, or two for `add`. A tensor may be read by several nodes.
    public var inputs: [TensorID]
    public var output: TensorID

    public init(name: String, op: QOp, inputs: [TensorID], output: TensorID) {
        self.name = name
        self.op = op
        self.inputs = inputs
        self.output = output
    }
}

/// The integer network: int8 tensors and the nodes between them, in topological order.
/// Build one with `QGraphBuilder`; check one with `GraphVerifier`.
public struct QGraph: Hashable, Sendable {
    public var tensors: [QTensor]
    public var nodes: [QNode]
    public var input: TensorID
    public var output: TensorID
    /// How firmware fills the input: layout and normalisation in words, printed into model.h.
    public var inputDescription: String
    /// Optional labelled inputs with the float model's logits, carried for reports.
    public var validation: ValidationSet?
    /// For a model whose data is 8-bit (images, most sensors): the int8 input for each raw value
    /// 0…255, i.e. normalisation and input quantization done once by Whittle. The one exact way
    /// firmware quantizes a raw byte (`model_quantize_input` in the C), and the way the
    /// validation inputs were made. nil for data that is not 8-bit.
    public var rawInputTable: [Int8]?

    public init(tensors: [QTensor], nodes: [QNode], input: TensorID, output: TensorID,
                inputDescription: String, validation: ValidationSet? = nil, rawInputTable: [Int8]? = nil) {
        self.tensors = tensors
        self.nodes = nodes
        self.input = input
        self.output = output
        self.inputDescription = inputDescription
        self.validation = validation
        self.rawInputTable = rawInputTable
    }

    public var inputTensor: QTensor { tensors[input] }
    public var outputTensor: QTensor { tensors[output] }
}

extension QGraph {
    /// The channels of a conv / fully connected node's reduction, which fix the channels-first
    /// (PyTorch) order its N:M groups run in: a conv's input channels per group; for a fully
    /// connected layer, the channels of the tensor its input flattens (following reshapes back to
    /// the tensor that owns the storage), as `QGraphBuilder` reorders PyTorch's flatten order.
    public func reductionChannels(of node: QNode) -> Int {
        reductionChannels(of: node, producers: producers)
    }

    /// The same with `producers` computed once: a pass over every node then stays linear in the
    /// reshapes it follows (thousands of layers behind one long reshape chain would not).
    public func reductionChannels(of node: QNode, producers: [TensorID: Int]) -> Int {
        let input = tensors[node.inputs[0]]
        switch node.op {
        case .conv2d(let conv):
            return input.shape.channels / max(conv.groups, 1)
        default:
            var tensor = node.inputs[0]
            while let p = producers[tensor], case .reshape = nodes[p].op {
                tensor = nodes[p].inputs[0]
            }
            return tensors[tensor].shape.channels
        }
    }

    /// For each tensor a node writes, the index of the first node that writes it.
    public var producers: [TensorID: Int] {
        var result: [TensorID: Int] = [:]
        for (index, node) in nodes.enumerated() where result[node.output] == nil {
            result[node.output] = index
        }
        return result
    }
}

extension QGraph {
    /// The graph without tensors that no node reads or writes and that are neither input nor
    /// output (a rewrite's leftovers), ids renumbered in their old order.
    public func removingUnusedTensors() -> QGraph {
        var used = Set([input, output])
        for node in nodes { used.formUnion(node.inputs + [node.output]) }
        guard used.count < tensors.count else { return self }
        var newID = [TensorID: TensorID]()
        for id in tensors.indices where used.contains(id) { newID[id] = newID.count }
        var result = self
        result.tensors = tensors.indices.filter(used.contains).map { tensors[$0] }
        result.input = newID[input]!
        result.output = newID[output]!
        result.nodes = nodes.map { node in
            var node = node
            node.inputs = node.inputs.map { newID[$0]! }
            node.output = newID[node.output]!
            return node
        }
        return result
    }
}
