/// Every per-target decision the kernel plan makes, derived once from the target descriptor,
/// so the planner, the table layouts and the kernels' parameters cannot drift apart (the
/// anti-example: CMSIS-NN's buffer-size functions and kernel dispatch re-deriving one condition).
public struct KernelProfile: Hashable, Sendable {
    /// The most output channels a dense conv / fully connected call computes at once.
    public var channelBlock: Int
    /// The most output pixels of one row a sparse conv computes at once for one filter.
    public var pixelBlock: Int
    /// The target's kernel variants: `dsp` puts the `_dsp` kernels (SMLAD / SXTB16 on ARMv7E-M,
    /// plain C elsewhere) and their word layout of the weights (`ChannelBlocking.interleaveWords`)
    /// in place of the dense ones; `indexed-sparse` puts the ready-to-run sparse layouts in place
    /// of 4-bit gaps: fully connected `fc_s8_indexed`, a column index per kept weight (about
    /// twice the position bytes for a multiply-accumulate in four instructions), conv
    /// `conv2d_s8_indexed`, a word per kept weight (offset and value), so nothing is decoded per
    /// call and no scratch is needed. `KernelRegistry.variants` says which kernel replaces which.
    public var variants: Set<TargetDescriptor.KernelVariant>

    public init(channelBlock: Int, pixelBlock: Int, variants: Set<TargetDescriptor.KernelVariant> = []) {
        self.channelBlock = channelBlock
        self.pixelBlock = pixelBlock
        self.variants = variants
    }

    /// The profile of `target`: its register budget (`channelBlock`, and `pixelBlock` when it
    /// differs) bounds the blocks, and its kernel variants pick kernels.
    public init(target: TargetDescriptor) {
        let block = min(target.channelBlock, ChannelBlocking.limit)
        self.init(channelBlock: block, pixelBlock: min(target.pixelBlock ?? block, ChannelBlocking.limit),
                  variants: Set(target.kernelVariants))
    }

    /// The profile `emit --optimize` runs with: `size` leaves out the variants that grow flash.
    public init(target: TargetDescriptor, objective: SparseFormatChoice.Objective) {
        self.init(target: target)
        if objective == .size { variants = variants.filter { !$0.growsFlash } }
    }

    public var dsp: Bool { variants.contains(.dsp) }
    public var indexedSparse: Bool { variants.contains(.indexedSparse) }

    /// `generic`, or the kernel that replaces it on this target.
    public func kernel(_ generic: Kernel) -> Kernel {
        let replacements = KernelRegistry.variants[generic] ?? [:]
        return TargetDescriptor.KernelVariant.allCases.lazy.compactMap { self.variants.contains($0) ? replacements[$0] : nil }.first ?? generic
    }
}
