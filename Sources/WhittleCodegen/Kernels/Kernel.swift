import WhittleIR

/// One C kernel of `templates/kernels/`: its function (also its file's stem; its parameters are
/// `<name>_params`), the kernel files it calls into, the shared headers it needs besides
/// `whittle_kernel.h` and `whittle_fixedpoint.h`, whether it has the pooled output stage a folded
/// max pool needs, what it decodes per call and the scratch it needs.
/// Kernels are made only in `KernelRegistry`, the one place Swift spells their names.
public struct Kernel: Hashable, Sendable, CustomStringConvertible {
    /// What a kernel decodes from its weight tables once per call, which its cost counts
    /// (`KernelCost.perDecode`).
    public enum DecodeUnit: Hashable, Sendable {
        case nothing
        /// Each stored value (a gap nibble or an N:M value decoded into a tap).
        case storedValue
        /// Each weight, kept or not (a bitmap conv tests every bit).
        case weight
        /// Each mask byte (a bitmap fully connected layer).
        case maskByte
        /// Each input, widened (and reordered) into scratch.
        case input
        /// Each value of every output pixel's input column (the window's inputs, as many as a
        /// filter's weights), laid out and widened into scratch: the matrix-product conv's im2col.
        case columnValue

        /// How many units a call decodes for weights stored as `storage` over `inputs` inputs and
        /// `columnValues` values of the output pixels' input columns.
        public func count(in storage: WeightStorage, inputs: Int, columnValues: Int) -> Int {
            switch (self, storage) {
            case (.columnValue, _): return columnValues
            case (.storedValue, .indexSparse(let s)): return s.values.count
            case (.storedValue, .nm(let s)): return s.values.count
            case (.weight, _): return storage.count
            case (.maskByte, .bitmap(let s)): return s.masks.count
            case (.input, _): return inputs
            default: return 0
            }
        }
    }

    public let name: String
    /// Kernel files included before this one (their code is called from it).
    public let includes: [Kernel]
    public let headers: [String]
    /// Takes `pool_h, pool_w`: a max pool folded into its output stage (`fold-max-pool`).
    public let foldsMaxPool: Bool
    public let decodes: DecodeUnit
    /// The scratch a call needs, nil for kernels that take none.
    public let scratch: ScratchFormula?

    init(_ name: String, includes: [Kernel] = [], headers: [String] = [], foldsMaxPool: Bool = false, decodes: DecodeUnit = .nothing,
         scratch: ScratchFormula? = nil) {
        self.name = name
        self.includes = includes
        self.headers = headers
        self.foldsMaxPool = foldsMaxPool
        self.decodes = decodes
        self.scratch = scratch
    }

    public var description: String { name }

    /// `templates/kernels/<name>.c`.
    public var fileName: String { "\(name).c" }

    /// This kernel's files in include order: what it includes first, each once.
    var filesInIncludeOrder: [Kernel] {
        var result: [Kernel] = []
        for kernel in includes.flatMap(\.filesInIncludeOrder) + [self] where !result.contains(kernel) {
            result.append(kernel)
        }
        return result
    }
}
