import WhittleIR

/// A `static const` table of `model_weights.c`.
public struct ConstantTable: Hashable, Sendable {
    public enum Values: Hashable, Sendable {
        case int8([Int8])
        case int32([Int32])
    }

    public var name: String
    public var values: Values

    public var count: Int {
        switch values {
        case .int8(let v): return v.count
        case .int32(let v): return v.count
        }
    }

    public var byteCount: Int {
        switch values {
        case .int8(let v): return v.count
        case .int32(let v): return v.count * 4
        }
    }

    public var cType: String {
        switch values {
        case .int8: return "int8_t"
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

/// One kernel call of `model_invoke`, with every argument decided: buffers, tables and integer
/// parameters. There is no floating-point argument type, so no float can reach a kernel.
public struct KernelCall: Hashable, Sendable {
    /// The C function, also the stem of its file in `templates/kernels/` (e.g. `conv2d_s8`).
    public var kernel: String
    /// Buffer expressions: `input`, `output` or `arena + offset`.
    public var input: String
    public var output: String
    /// Names of the tables passed after the buffers, in order.
    public var tables: [String]
    public var parameters: [ParameterGroup]
}

/// One node of the graph as emitted: a kernel call, or a comment for a reshape (an alias).
public struct PlanStep: Hashable, Sendable {
    public var comment: String
    public var call: KernelCall?
}

/// Per-layer figures for reports and the emitted manifest.
public struct LayerReport: Codable, Hashable, Sendable {
    public var name: String
    public var op: String
    /// The kernel chosen, or "alias" for a reshape.
    public var kernel: String
    public var weightFormat: String?
    public var inputShape: [Int]
    public var outputShape: [Int]
    /// Multiply-accumulates per inference.
    public var macs: Int
    /// Bytes of constant tables (weights, folded biases, multipliers, shifts).
    public var constantBytes: Int
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
    public var layers: [LayerReport]

    public var constantBytes: Int { tables.map(\.byteCount).reduce(0, +) }
}
