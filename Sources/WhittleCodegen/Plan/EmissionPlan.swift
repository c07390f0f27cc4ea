import WhittleIR

/// A `static const` table of `model_weights.c`.
public struct ConstantTable: Hashable, Sendable {
    public enum Values: Hashable, Sendable {
        case int8([Int8])
        case uint8([UInt8])
        case uint16([UInt16])
        case int32([Int32])
    }

    public var name: String
    public var values: Values

    public var count: Int {
        switch values {
        case .int8(let v): return v.count
        case .uint8(let v): return v.count
        case .uint16(let v): return v.count
        case .int32(let v): return v.count
        }
    }

    /// Bytes in flash. C has no empty arrays, so an empty table (the values of an all-zero
    /// sparse layer) is printed as one unused zero.
    public var byteCount: Int {
        switch values {
        case .int8, .uint8: return max(count, 1)
        case .uint16: return max(count, 1) * 2
        case .int32: return max(count, 1) * 4
        }
    }

    public var cType: String {
        switch values {
        case .int8: return "int8_t"
        case .uint8: return "uint8_t"
        case .uint16: return "uint16_t"
        case .int32: return "int32_t"
        }
    }
}

/// One field of a kernel's parameter struct, printed as a designated initializer `.name = value`
/// (`gather.in_h` names a field of a nested struct).
public struct ParameterField: Hashable, Sendable {
    public var name: String
    public var value: Int

    public init(_ name: String, _ value: Int) {
        self.name = name
        self.value = value
    }

    /// `k_h, k_w, stride_h, stride_w, pad_top, pad_left`: a window as the conv and pool kernels take it.
    static func window(_ w: Window2D) -> [ParameterField] {
        [ParameterField("k_h", w.kernelHeight), ParameterField("k_w", w.kernelWidth)] + stepping(w)
    }

    /// `stride_h, stride_w, pad_top, pad_left`.
    static func stepping(_ w: Window2D) -> [ParameterField] {
        [ParameterField("stride_h", w.strideHeight), ParameterField("stride_w", w.strideWidth),
         ParameterField("pad_top", w.padTop), ParameterField("pad_left", w.padLeft)]
    }

    /// `act_min, act_max`: the output clamp.
    static func clamp(_ clamp: ClampRange) -> [ParameterField] {
        [ParameterField("act_min", Int(clamp.min)), ParameterField("act_max", Int(clamp.max))]
    }

    /// The same field inside the nested struct `member` (printed `.member.name = value`).
    func inside(_ member: String) -> ParameterField {
        ParameterField(member + "." + name, value)
    }
}

/// The scratch one call uses: the planner's byte count, and the kernel's own statement of its
/// need, a C macro of its parameters (e.g. `CONV2D_S8_GATHER_SCRATCH_BYTES(tap_capacity,
/// window_taps)`) that `model.c` checks against the buffer at compile time, so the two cannot drift.
public struct ScratchUse: Hashable, Sendable {
    public var bytes: Int
    public var macro: String
    public var arguments: [Int]

    public init(bytes: Int, macro: String, arguments: [Int]) {
        self.bytes = bytes
        self.macro = macro
        self.arguments = arguments
    }
}

/// One kernel call of `model_invoke`, with every argument decided: buffers, tables and integer
/// parameters. There is no floating-point argument type, so no float can reach a kernel.
public struct KernelCall: Hashable, Sendable {
    /// The C function, also the stem of its file in `templates/kernels/` (e.g. `conv2d_s8`).
    public var kernel: String
    /// Buffer expressions: `input`, `output` or `arena + offset`; one per input of the node.
    public var inputs: [String]
    public var output: String
    /// Names of the tables passed after the buffers, in order (`0` for a table the call omits).
    public var tables: [String]
    /// The scratch the call uses (decoded taps, a widened input), nil when the kernel takes none.
    /// It is passed after the tables.
    public var scratch: ScratchUse?
    /// The kernel's `const <kernel>_params *`, last: shapes and quantization by field name,
    /// printed as a `static const` struct with designated initializers.
    public var fields: [ParameterField]

    public init(kernel: String, inputs: [String], output: String, tables: [String] = [], scratch: ScratchUse? = nil,
                fields: [ParameterField]) {
        self.kernel = kernel
        self.inputs = inputs
        self.output = output
        self.tables = tables
        self.scratch = scratch
        self.fields = fields
    }

    /// Bytes of scratch the call uses, nil when the kernel takes none.
    public var scratchBytes: Int? { scratch?.bytes }

    /// The value of field `name`, nil when the kernel has no such field.
    public func field(_ name: String) -> Int? {
        fields.first { $0.name == name }?.value
    }
}

/// One node of the graph as emitted: a kernel call, or a comment for a reshape (an alias).
public struct PlanStep: Hashable, Sendable {
    public var comment: String
    public var call: KernelCall?
    /// The C identifier of the node (names its parameter struct).
    public var identifier: String
}

/// Per-layer figures for reports and the emitted manifest.
public struct LayerReport: Codable, Hashable, Sendable {
    public var name: String
    public var op: String
    /// The kernel chosen, or "alias" for a reshape.
    public var kernel: String
    /// "dense", "index" or "N:M" (nil without weights).
    public var weightFormat: String?
    /// Nonzero weights over all weights (nil without weights).
    public var density: Double?
    public var inputShape: [Int]
    public var outputShape: [Int]
    /// Multiply-accumulates per inference of the dense layer.
    public var macs: Int
    /// Multiply-accumulates the chosen kernel executes per inference (fewer when it skips zeros).
    public var executedMacs: Int
    /// Bytes of constant tables (weights with their position tables, folded biases, multipliers, shifts).
    public var constantBytes: Int
    /// What the same layer's tables take dense.
    public var denseConstantBytes: Int
    /// Parameters (weights and biases) the float model stores as float32.
    public var parameters: Int
    /// The largest int32 magnitude the layer's arithmetic can reach.
    public var accumulatorBound: Int64?

    /// A layer with a kernel call of its own in `model_invoke`: not a reshape ("alias") and not a
    /// max pool folded into its conv ("fused").
    public var callsKernel: Bool { kernel != "alias" && kernel != "fused" }
}

/// Everything the C printer needs, decided before any text is written.
public struct EmissionPlan: Sendable {
    public var steps: [PlanStep]
    public var tables: [ConstantTable]
    /// Kernel file stems in first-use order.
    public var kernels: [String]
    public var memory: MemoryPlan
    /// Bytes of the static scratch the sparse kernels share (the largest any call needs), 0 without.
    public var scratchBytes: Int
    public var layers: [LayerReport]

    public var constantBytes: Int { tables.map(\.byteCount).reduce(0, +) }
}
