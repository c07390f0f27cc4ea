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

/// Integer arguments printed together on one line, after their label.
public struct ParameterGroup: Hashable, Sendable {
    public var label: String
    public var values: [Int]

    public init(_ label: String, _ values: [Int]) {
        self.label = label
        self.values = values
    }

    /// The output clamp, last-but-one group of most kernels.
    static func clamp(_ clamp: ClampRange) -> ParameterGroup {
        ParameterGroup("act min, max", [Int(clamp.min), Int(clamp.max)])
    }
}

/// One field of a kernel's parameter struct, printed as a designated initializer `.name = value`.
public struct ParameterField: Hashable, Sendable {
    public var name: String
    public var value: Int

    public init(_ name: String, _ value: Int) {
        self.name = name
        self.value = value
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
    /// Names of the tables passed after the buffers, in order.
    public var tables: [String]
    /// Bytes of `scratch` the call uses (decoded taps, a reordered input), or nil when the kernel
    /// takes no scratch. It is passed after the tables.
    public var scratchBytes: Int?
    public var parameters: [ParameterGroup]
    /// A kernel taking its parameters as one `const <kernel>_params *` gets them here, printed as a
    /// `static const` struct with designated initializers (`parameters` is then empty).
    public var fields: [ParameterField]

    public init(kernel: String, inputs: [String], output: String, tables: [String] = [], scratchBytes: Int? = nil,
                parameters: [ParameterGroup] = [], fields: [ParameterField] = []) {
        self.kernel = kernel
        self.inputs = inputs
        self.output = output
        self.tables = tables
        self.scratchBytes = scratchBytes
        self.parameters = parameters
        self.fields = fields
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
