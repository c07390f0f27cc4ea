import WhittleIR

/// The model being exported: its tensors and operators so far, and each operator's line of the
/// whittle metadata. TFLite tensor `i` is graph tensor `i` as its producer writes it; constants
/// and the tensors the exporter adds come after.
struct ExportAssembly {
    let graph: QGraph
    let ranks: TensorRanks
    private(set) var tensors: [TFLiteTensor]
    private(set) var operators: [TFLiteOperator] = []
    private(set) var notes: [WhittleMetadata.Operator] = []
    /// The rank-4 copy of a tensor its producer writes as `[1, C]` (a RESHAPE the exporter adds).
    private var fourDimensional: [TensorID: Int] = [:]

    init(graph: QGraph) {
        self.graph = graph
        let ranks = TensorRanks(graph)
        self.ranks = ranks
        tensors = graph.tensors.indices.map { Self.activation(graph.tensors[$0], rank: ranks.written[$0]) }
    }

    /// An int8 activation tensor of one scale and zero point.
    private static func activation(_ t: QTensor, rank: Int) -> TFLiteTensor {
        TFLiteTensor(name: t.name, shape: TensorRanks.dimensions(t.shape, rank: rank), type: .int8,
                     quantization: TFLiteQuantization(scales: [Float(t.quant.scale)], zeroPoints: [Int64(t.quant.zeroPoint)]))
    }

    /// The TFLite tensor the readers of graph tensor `id` read: the tensor itself, or its rank-4
    /// copy, made by a RESHAPE added before the first reader.
    mutating func input(_ id: TensorID) -> Int {
        guard ranks.read[id] != ranks.written[id] else { return id }
        if let copy = fourDimensional[id] { return copy }
        let t = graph.tensors[id]
        let copy = intermediate(QTensor(name: "\(t.name)/4d", shape: t.shape, quant: t.quant), rank: ranks.read[id])
        reshape(id, to: copy, node: nil)
        fourDimensional[id] = copy
        return copy
    }

    /// An activation tensor the exporter adds.
    mutating func intermediate(_ t: QTensor, rank: Int = 4) -> Int {
        tensors.append(Self.activation(t, rank: rank))
        return tensors.count - 1
    }

    /// A constant tensor.
    mutating func constant(_ name: String, shape: [Int], type: TFLiteTensorType, data: [UInt8],
                           quantization: TFLiteQuantization? = nil) -> Int {
        tensors.append(TFLiteTensor(name: name, shape: shape, type: type, data: data, quantization: quantization))
        return tensors.count - 1
    }

    /// An int32 constant (shapes, paddings, axes, biases), little-endian.
    mutating func int32Constant(_ name: String, shape: [Int], _ values: [Int32], quantization: TFLiteQuantization? = nil) -> Int {
        constant(name, shape: shape, type: .int32, data: values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } },
                 quantization: quantization)
    }

    /// A RESHAPE of TFLite tensor `input` to TFLite tensor `output`'s shape (given as the second
    /// input and as the options, as TFLite's converter writes it).
    mutating func reshape(_ input: Int, to output: Int, node: String?) {
        let shape = tensors[output].shape
        let shapeTensor = int32Constant("\(tensors[output].name)/shape", shape: [shape.count], shape.map { Int32($0) })
        append(TFLiteOperator(kind: .reshape, inputs: [input, shapeTensor], outputs: [output], options: .reshape(newShape: shape)), node: node)
    }

    /// Appends an operator: the node it is (nil for one the exporter adds) and its weight format.
    mutating func append(_ op: TFLiteOperator, node: String?, weights: WeightStorage? = nil) {
        operators.append(op)
        notes.append(WhittleMetadata.Operator(node: node, weights: weights.flatMap { $0.format == .dense ? nil : $0.formatName }))
    }
}
