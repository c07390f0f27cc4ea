import WhittleIR

/// The graph being imported: its tensors and nodes so far, which TFLite tensor each activation
/// came from, and the checked readers of the file's tensors (shape, quantization, constants).
struct GraphAssembly {
    let model: TFLiteModel
    private(set) var tensors: [QTensor] = []
    private(set) var nodes: [QNode] = []
    /// TFLite tensor index → the graph's tensor.
    var ids: [Int: TensorID] = [:]
    /// TFLite tensor index → the tensor and padding of a PAD the exporter added before a
    /// convolution, which becomes that convolution's padding (`AbsorbedOperators`).
    var pendingPads: [Int: (input: TensorID, pad: Pad)] = [:]
    /// What the import changed, one line each (for `TFLiteImport.notes`).
    private(set) var notes: [String] = []

    init(model: TFLiteModel, input: Int) throws {
        self.model = model
        let tensor = try activation(input, "the model's input")
        tensors = [tensor]
        ids[input] = 0
    }

    /// The graph tensor of TFLite tensor `index`, which the input or an earlier operator wrote.
    func input(_ index: Int, _ op: OperatorContext) throws -> TensorID {
        guard index >= 0, let id = ids[index] else {
            if pendingPads[index] != nil {
                throw op.fail("reads '\(model.tensors[index].name)', the output of a PAD whittle's exporter added for a convolution only")
            }
            let name = index >= 0 ? "'\(model.tensors[index].name)'" : "-1 (absent)"
            throw op.fail("reads tensor \(name), which no earlier operator writes and which is not the model's input")
        }
        return id
    }

    /// Adds the node of `op` writing its first output, a tensor of `shape` (checked against the file's).
    mutating func append(_ qop: QOp, inputs: [TensorID], shape: TensorShape, _ op: OperatorContext) throws -> TensorID {
        let index = op.op.outputs.first ?? -1
        guard index >= 0, op.op.outputs.count == 1 else { throw op.fail("has \(op.op.outputs.count) outputs; whittle maps operators of one") }
        var tensor = try activation(index, "output of \(op.label)")
        guard tensor.shape == shape else {
            throw op.fail("writes \(model.tensors[index].shape) but its inputs and options give \(shape)")
        }
        guard ids[index] == nil else { throw op.fail("writes tensor '\(tensor.name)', which an earlier operator wrote") }
        tensor.shape = shape
        tensors.append(tensor)
        ids[index] = tensors.count - 1
        nodes.append(QNode(name: op.nodeName, op: qop, inputs: inputs, output: tensors.count - 1))
        return tensors.count - 1
    }

    func tensor(_ id: TensorID) -> QTensor { tensors[id] }

    /// Reports the zero-weight channels `ConstantChannels` restated.
    mutating func noteConstantChannels(_ channels: [Int], of total: Int, _ op: OperatorContext) {
        guard !channels.isEmpty else { return }
        let listed = channels.prefix(8).map(String.init).joined(separator: ", ") + (channels.count > 8 ? ", …" : "")
        notes.append("\(op.nodeName): \(channels.count) of \(total) output channels (\(listed)) have all-zero weights and a bias of "
                     + "2^29 or more; each is stored as the constant it computes (bias and multiplier restated)")
    }

    // MARK: - Reading the file's tensors

    /// An int8 activation with one scale and zero point.
    func activation(_ index: Int, _ role: String) throws -> QTensor {
        guard model.tensors.indices.contains(index) else { throw TFLiteImportError("the \(role) is absent (tensor \(index))") }
        let t = model.tensors[index]
        let what = "tensor '\(t.name)' (\(role))"
        switch t.type {
        case .int8: break
        case .int16: throw TFLiteImportError("\(what) is INT16; whittle imports int8 activations (16x8 quantization is not supported)")
        case .float32 where t.quantization == nil:
            throw TFLiteImportError("\(what) is FLOAT32 without quantization; whittle imports int8-quantized models (full-integer quantization)")
        default:
            throw TFLiteImportError("\(what) is \(t.type.map(String.init(describing:)) ?? "type \(t.rawType)"); whittle imports int8 activations")
        }
        guard let q = t.quantization, q.scales.count == 1, let zero = q.zeroPoints.first, q.zeroPoints.count == 1 else {
            throw TFLiteImportError("\(what) needs one scale and zero point (per-tensor quantization)")
        }
        guard q.scales[0].isFinite, q.scales[0] > 0, (-128...127).contains(zero) else {
            throw TFLiteImportError("\(what) has scale \(q.scales[0]) and zero point \(zero); expected a finite scale > 0 and a zero point in −128…127")
        }
        return QTensor(name: t.name, shape: try Self.shape(t.shape, what), quant: QuantParams(scale: Double(q.scales[0]), zeroPoint: Int32(zero)))
    }

    /// NHWC with batch 1 as height × width × channels; `[1, n]` and `[n]` as a vector.
    static func shape(_ dims: [Int], _ what: String) throws -> TensorShape {
        switch dims.count {
        case 4 where dims[0] == 1: return TensorShape(height: dims[1], width: dims[2], channels: dims[3])
        case 3 where dims[0] == 1: return TensorShape(height: 1, width: dims[1], channels: dims[2])
        case 2 where dims[0] == 1: return TensorShape(vector: dims[1])
        case 1: return TensorShape(vector: dims[0])
        default: throw TFLiteImportError("\(what) has shape \(dims); whittle imports batch 1 tensors of 1 to 4 dimensions")
        }
    }

    /// The int8 constant `index` of `elements` values, with a scale per slice along
    /// `dimension` (or one for all) and zero points 0 (TFLite's symmetric weights).
    func weights(_ index: Int, elements: Int, channels: Int, dimension: Int, _ op: OperatorContext) throws -> (values: [Int8], scales: [Double]) {
        let t = try constant(index, "weights", op)
        guard t.type == .int8 else { throw op.fail("weights '\(t.name)' are \(t.type.map(String.init(describing:)) ?? "type \(t.rawType)"); whittle imports int8 weights") }
        guard t.data.count == elements else { throw op.fail("weights '\(t.name)' hold \(t.data.count) bytes, expected \(elements)") }
        guard let q = t.quantization, q.scales.count == 1 || (q.scales.count == channels && q.dimension == dimension) else {
            throw op.fail("weights '\(t.name)' need one scale, or \(channels) along dimension \(dimension)")
        }
        guard q.zeroPoints.allSatisfy({ $0 == 0 }) else { throw op.fail("weights '\(t.name)' have a zero point other than 0; int8 weights are symmetric") }
        if let bad = q.scales.first(where: { !$0.isFinite || $0 <= 0 }) {
            throw op.fail("weights '\(t.name)' have scale \(bad); expected finite scales > 0")
        }
        let scales = q.scales.count == 1 ? Array(repeating: Double(q.scales[0]), count: channels) : q.scales.map(Double.init)
        return (t.data.map { Int8(bitPattern: $0) }, scales)
    }

    /// The int32 bias `index` of `count` values; zeros when the operator has none (−1).
    func bias(_ index: Int?, count: Int, _ op: OperatorContext) throws -> [Int32] {
        guard let index, index >= 0 else { return Array(repeating: 0, count: count) }
        let t = try constant(index, "bias", op)
        guard t.type == .int32, t.data.count == 4 * count else {
            throw op.fail("bias '\(t.name)' must be \(count) INT32 values; it is \(t.type.map(String.init(describing:)) ?? "type \(t.rawType)") of \(t.data.count) bytes")
        }
        return Self.int32s(t.data)
    }

    /// The int32 values of a constant (PAD's paddings, MEAN's axes, RESHAPE's shape).
    func int32Constant(_ index: Int, _ role: String, _ op: OperatorContext) throws -> [Int32] {
        let t = try constant(index, role, op)
        guard t.type == .int32 else { throw op.fail("\(role) '\(t.name)' must be INT32") }
        return Self.int32s(t.data)
    }

    private func constant(_ index: Int, _ role: String, _ op: OperatorContext) throws -> TFLiteTensor {
        guard index >= 0, index < model.tensors.count else { throw op.fail("has no \(role) tensor") }
        let t = model.tensors[index]
        guard !t.data.isEmpty || t.shape.contains(0) else { throw op.fail("\(role) '\(t.name)' is not a constant in the file") }
        return t
    }

    private static func int32s(_ bytes: [UInt8]) -> [Int32] {
        stride(from: 0, to: bytes.count - 3, by: 4).map { i in
            Int32(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
        }
    }
}

/// One operator being mapped: where to point an error and what to name its node.
struct OperatorContext {
    let op: TFLiteOperator
    let index: Int
    /// The node's name in the whittle metadata, if the model has it.
    var givenName: String?

    var label: String { "operator \(index) (\(op.kind))" }
    /// The node's name: the metadata's, else the operator's kind and index, e.g. `conv_2d_0`.
    var nodeName: String { givenName ?? "\(op.kind.description.lowercased())_\(index)" }

    func fail(_ problem: String) -> TFLiteImportError { .op(index, op.kind, problem) }
}
