/// Every per-target decision the kernel plan makes, derived once from the target descriptor,
/// so the planner, the table layouts and the kernels' parameters cannot drift apart (the
/// anti-example: CMSIS-NN's buffer-size functions and kernel dispatch re-deriving one condition).
public struct KernelProfile: Hashable, Sendable {
    /// The most output channels a dense conv / fully connected call computes at once.
    public var channelBlock: Int
    /// The most output pixels of one row a sparse conv computes at once for one filter.
    public var pixelBlock: Int

    public init(channelBlock: Int, pixelBlock: Int) {
        self.channelBlock = channelBlock
        self.pixelBlock = pixelBlock
    }

    /// The profile of `target`: its register budget (`channelBlock`) bounds both blocks.
    public init(target: TargetDescriptor) {
        let block = min(target.channelBlock, ChannelBlocking.limit)
        self.init(channelBlock: block, pixelBlock: block)
    }
}
