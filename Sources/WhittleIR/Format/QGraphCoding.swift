/// The payload of a `.q` file: the graph field by field, in the order `QGraphFile` documents.
enum QGraphCoding {
    /// The weight format tag before each layer's weights (see `WeightStorage`).
    private enum StorageTag: UInt8 {
        case dense = 0, indexSparse = 1, nm = 2, bitmap = 3
    }

    /// Dimensions, counts and ids are stored as Int32 and must stay below this on reading.
    static let sizeLimit = 1 << 30

    // MARK: - Encoding

    static func encode(_ graph: QGraph, into w: inout BinaryWriter) {
        w.write(graph.inputDescription)
        w.write(graph.rawInputTable != nil)
        if let table = graph.rawInputTable { w.write(array: table) }
        w.write(UInt32(graph.tensors.count))
        for t in graph.tensors {
            w.write(t.name)
            for d in [t.shape.height, t.shape.width, t.shape.channels] { w.write(Int32(d)) }
            w.write(t.quant.scale)
            w.write(t.quant.zeroPoint)
        }
        w.write(Int32(graph.input))
        w.write(Int32(graph.output))
        w.write(UInt32(graph.nodes.count))
        for node in graph.nodes {
            w.write(node.name)
            w.write(array: node.inputs.map(Int32.init))
            w.write(Int32(node.output))
            let operation = node.op.operation
            w.write(operation.tag)
            operation.encodeFields(into: &w)
        }
        w.write(graph.validation != nil)
        if let v = graph.validation {
            w.write(Int32(v.count))
            w.write(array: v.inputs)
            w.write(v.labels != nil)
            if let labels = v.labels { w.write(array: labels) }
            w.write(v.floatLogits != nil)
            if let logits = v.floatLogits { w.write(array: logits) }
            w.write(v.expectedOutputs != nil)
            if let expected = v.expectedOutputs { w.write(array: expected) }
            w.write(v.reconstruction != nil)
            if let task = v.reconstruction {
                w.write(task.normalClasses != nil)
                if let classes = task.normalClasses { w.write(array: classes) }
            }
        }
    }

    static func encode(_ window: Window2D, into w: inout BinaryWriter) {
        for v in [window.kernelHeight, window.kernelWidth, window.strideHeight, window.strideWidth,
                  window.padTop, window.padLeft, window.padBottom, window.padRight] {
            w.write(Int32(v))
        }
    }

    static func encode(_ clamp: ClampRange, into w: inout BinaryWriter) {
        w.write(clamp.min)
        w.write(clamp.max)
    }

    static func encodeAffine(_ weights: WeightStorage, _ scales: [Double], _ bias: [Int32],
                                     _ requantization: [QuantizedMultiplier], _ clamp: ClampRange,
                                     into w: inout BinaryWriter) {
        switch weights {
        case .dense(let values):
            w.write(StorageTag.dense.rawValue)
            w.write(array: values)
        case .indexSparse(let sparse):
            w.write(StorageTag.indexSparse.rawValue)
            w.write(Int32(sparse.outputs))
            w.write(Int32(sparse.perOutput))
            w.write(array: sparse.values)
            w.write(array: sparse.gaps)
            w.write(array: sparse.counts)
        case .bitmap(let bitmap):
            w.write(StorageTag.bitmap.rawValue)
            w.write(Int32(bitmap.outputs))
            w.write(Int32(bitmap.perOutput))
            w.write(array: bitmap.values)
            w.write(array: bitmap.masks)
        case .nm(let nm):
            w.write(StorageTag.nm.rawValue)
            for v in [nm.n, nm.m, nm.outputs, nm.perOutput, nm.channels] { w.write(Int32(v)) }
            w.write(array: nm.values)
            w.write(array: nm.indices)
        }
        w.write(array: scales)
        w.write(array: bias)
        w.write(array: requantization.map(\.multiplier))
        w.write(array: requantization.map(\.shift))
        encode(clamp, into: &w)
    }

    // MARK: - Decoding

    /// `version`: the file's format version (4 or later; `QGraphFile` refuses older ones).
    static func decode(_ r: inout BinaryReader, version: UInt32) throws -> QGraph {
        let description = try r.readString("input description")
        let rawInputTable = try r.readBool("raw input table") ? try r.readArray(of: Int8.self, "raw input table") : nil
        let tensorCount = Int(try r.read(UInt32.self, "tensor count"))
        var tensors: [QTensor] = []
        for i in 0..<tensorCount {
            let what = "tensor \(i)"
            let name = try r.readString("\(what) name")
            let h = try r.readInt("\(what) height", in: 0...sizeLimit)
            let w = try r.readInt("\(what) width", in: 0...sizeLimit)
            let c = try r.readInt("\(what) channels", in: 0...sizeLimit)
            let scale = try r.readDouble("\(what) scale")
            let zero = try r.read(Int32.self, "\(what) zero point")
            tensors.append(QTensor(name: name, shape: TensorShape(height: h, width: w, channels: c),
                                   quant: QuantParams(scale: scale, zeroPoint: zero)))
        }
        let ids = 0...max(0, tensorCount - 1)
        let input = try r.readInt("graph input id", in: ids)
        let output = try r.readInt("graph output id", in: ids)
        let nodeCount = Int(try r.read(UInt32.self, "node count"))
        var nodes: [QNode] = []
        for i in 0..<nodeCount {
            let name = try r.readString("node \(i) name")
            let what = "node '\(name)'"
            let inputs = try r.readArray(of: Int32.self, "\(what) inputs").map(Int.init)
            let out = try r.readInt("\(what) output id", in: ids)
            nodes.append(QNode(name: name, op: try decodeOp(&r, what), inputs: inputs, output: out))
        }
        var validation: ValidationSet?
        if try r.readBool("validation set") {
            let count = try r.readInt("validation count", in: 0...sizeLimit)
            let inputs = try r.readArray(of: Int8.self, "validation inputs")
            let labels = try r.readBool("validation labels") ? try r.readArray(of: Int32.self, "validation labels") : nil
            let logits = try r.readBool("validation logits") ? try r.readFloats("validation float logits") : nil
            // Version 5 added the expected outputs of another engine.
            var expected: [Int8]?
            if version >= 5, try r.readBool("validation expected outputs") {
                expected = try r.readArray(of: Int8.self, "validation expected outputs")
            }
            // Version 6 added the autoencoder's reconstruction task.
            var reconstruction: ReconstructionTask?
            if version >= 6, try r.readBool("validation reconstruction") {
                let classes = try r.readBool("validation normal classes") ? try r.readArray(of: Int32.self, "validation normal classes") : nil
                reconstruction = ReconstructionTask(normalClasses: classes)
            }
            validation = ValidationSet(count: count, inputs: inputs, labels: labels, floatLogits: logits, expectedOutputs: expected,
                                       reconstruction: reconstruction)
        }
        return QGraph(tensors: tensors, nodes: nodes, input: input, output: output,
                      inputDescription: description, validation: validation, rawInputTable: rawInputTable)
    }

    private static func decodeOp(_ r: inout BinaryReader, _ what: String) throws -> QOp {
        let tag = try r.read(UInt8.self, "\(what) op")
        guard let decode = QOp.decoders[tag] else {
            throw BinaryReader.Failure(message: "corrupt: \(what) has unknown op code \(tag)")
        }
        return try decode(&r, what)
    }

    static func decodeWindow(_ r: inout BinaryReader, _ what: String) throws -> Window2D {
        let fields = ["kernel height", "kernel width", "stride height", "stride width",
                      "pad top", "pad left", "pad bottom", "pad right"]
        let v = try fields.map { try r.readInt("\(what) \($0)", in: 0...sizeLimit) }
        return Window2D(kernelHeight: v[0], kernelWidth: v[1], strideHeight: v[2], strideWidth: v[3],
                        padTop: v[4], padLeft: v[5], padBottom: v[6], padRight: v[7])
    }

    static func decodeClamp(_ r: inout BinaryReader, _ what: String) throws -> ClampRange {
        ClampRange(min: try r.read(Int32.self, "\(what) act_min"), max: try r.read(Int32.self, "\(what) act_max"))
    }

    static func decodeAffine(_ r: inout BinaryReader, _ what: String) throws
        -> (weights: WeightStorage, scales: [Double], bias: [Int32], requantization: [QuantizedMultiplier], clamp: ClampRange) {
        let raw = try r.read(UInt8.self, "\(what) weight format")
        guard let tag = StorageTag(rawValue: raw) else {
            throw BinaryReader.Failure(message: "corrupt: \(what) has unknown weight format \(raw)")
        }
        let weights: WeightStorage
        switch tag {
        case .dense:
            weights = .dense(try r.readArray(of: Int8.self, "\(what) weights"))
        case .indexSparse:
            let outputs = try r.readInt("\(what) sparse outputs", in: 0...sizeLimit)
            let perOutput = try r.readInt("\(what) sparse weights per output", in: 0...sizeLimit)
            weights = .indexSparse(IndexSparseWeights(
                outputs: outputs, perOutput: perOutput, values: try r.readArray(of: Int8.self, "\(what) sparse values"),
                gaps: try r.readArray(of: UInt8.self, "\(what) sparse gaps"), counts: try r.readArray(of: UInt8.self, "\(what) sparse counts")))
        case .bitmap:
            let outputs = try r.readInt("\(what) bitmap outputs", in: 0...sizeLimit)
            let perOutput = try r.readInt("\(what) bitmap weights per output", in: 0...sizeLimit)
            weights = .bitmap(BitmapSparseWeights(
                outputs: outputs, perOutput: perOutput, values: try r.readArray(of: Int8.self, "\(what) bitmap values"),
                masks: try r.readArray(of: UInt8.self, "\(what) bitmap masks")))
        case .nm:
            let fields = ["N", "M", "outputs", "weights per output", "channels"]
            let v = try fields.map { try r.readInt("\(what) N:M \($0)", in: 0...sizeLimit) }
            weights = .nm(NMSparseWeights(n: v[0], m: v[1], outputs: v[2], perOutput: v[3], channels: v[4],
                                          values: try r.readArray(of: Int8.self, "\(what) N:M values"),
                                          indices: try r.readArray(of: UInt8.self, "\(what) N:M indices")))
        }
        let scales = try r.readDoubles("\(what) weight scales")
        let bias = try r.readArray(of: Int32.self, "\(what) bias")
        let multipliers = try r.readArray(of: Int32.self, "\(what) multipliers")
        let shifts = try r.readArray(of: Int32.self, "\(what) shifts")
        guard multipliers.count == shifts.count else {
            throw BinaryReader.Failure(message: "corrupt: \(what) has \(multipliers.count) multipliers but \(shifts.count) shifts")
        }
        let requantization = zip(multipliers, shifts).map { QuantizedMultiplier(multiplier: $0, shift: $1) }
        return (weights, scales, bias, requantization, try decodeClamp(&r, what))
    }
}
