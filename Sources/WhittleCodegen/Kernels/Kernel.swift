/// One C kernel of `templates/kernels/`: its function (also its file's stem), the kernel files it
/// calls into, the shared headers it needs besides `whittle_kernel.h` and `whittle_fixedpoint.h`,
/// and whether it has the pooled output stage a folded max pool needs. Kernels are made only in
/// `KernelRegistry`, the one place Swift spells their names.
public struct Kernel: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    /// Kernel files included before this one (their code is called from it).
    public let includes: [Kernel]
    public let headers: [String]
    /// Takes `pool_h, pool_w`: a max pool folded into its output stage (`fold-max-pool`).
    public let foldsMaxPool: Bool

    init(_ name: String, includes: [Kernel] = [], headers: [String] = [], foldsMaxPool: Bool = false) {
        self.name = name
        self.includes = includes
        self.headers = headers
        self.foldsMaxPool = foldsMaxPool
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
