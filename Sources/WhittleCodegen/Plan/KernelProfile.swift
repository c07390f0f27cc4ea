/// Every per-target decision the kernel plan makes, derived once from the target descriptor,
/// so the planner, the table layouts and the kernels' parameters cannot drift apart (the
/// anti-example: CMSIS-NN's buffer-size functions and kernel dispatch re-deriving one condition).
public struct KernelProfile: Hashable, Sendable {
    /// The most output channels a dense conv / fully connected call computes at once.
    public var channelBlock: Int
    /// The most output pixels of one row a sparse conv computes at once for one filter.
    public var pixelBlock: Int
    /// Dense conv, depthwise conv and fully connected layers take the `_dsp` kernels
    /// (`conv2d_s8_dsp`, `dwconv2d_s8_dsp`, `fc_s8_dsp`: SMLAD / SXTB16 on ARMv7E-M, plain C
    /// elsewhere) and their word layout of the weights (`ChannelBlocking.interleaveWords`).
    public var dsp: Bool
    /// Index-sparse layers take their ready-to-run layouts instead of 4-bit gaps (a target's
    /// `"indexed-sparse"` variant): fully connected `fc_s8_indexed`, a column index per kept
    /// weight (one byte, two past 256 inputs), about twice the position bytes for a
    /// multiply-accumulate in four instructions; conv `conv2d_s8_indexed`, a word per kept weight
    /// (offset and value), so nothing is decoded per call and no scratch is needed.
    public var indexedSparse: Bool

    public init(channelBlock: Int, pixelBlock: Int, dsp: Bool = false, indexedSparse: Bool = false) {
        self.channelBlock = channelBlock
        self.pixelBlock = pixelBlock
        self.dsp = dsp
        self.indexedSparse = indexedSparse
    }

    /// The profile of `target`: its register budget (`channelBlock`, and `pixelBlock` when it
    /// differs) bounds the blocks, and its kernel variants pick the `_dsp` and indexed kernels.
    public init(target: TargetDescriptor) {
        let block = min(target.channelBlock, ChannelBlocking.limit)
        self.init(channelBlock: block, pixelBlock: min(target.pixelBlock ?? block, ChannelBlocking.limit), dsp: target.kernelVariants.contains(.dsp),
                  indexedSparse: target.kernelVariants.contains(.indexedSparse))
    }

    /// The name of a dense kernel (`conv2d_s8`, `dwconv2d_s8`, `fc_s8`) in this profile.
    func denseKernel(_ generic: String) -> String {
        dsp ? generic + "_dsp" : generic
    }
}
