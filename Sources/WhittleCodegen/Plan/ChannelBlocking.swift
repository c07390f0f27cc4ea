/// How many output channels a conv / fully connected kernel computes at once, and the weight
/// layout that goes with it. Decided here once; the kernels take `block` as a parameter and
/// read the layout this produces.
enum ChannelBlocking {
    /// The kernels' `CONV2D_S8_MAX_BLOCK` / `FC_S8_MAX_BLOCK`.
    static let limit = 8

    /// The largest block up to the target's `limit` that divides the output channels of one
    /// group, so no block straddles a group and no channel is wasted.
    static func block(outputsPerGroup: Int, limit: Int) -> Int {
        (1...min(limit, Self.limit)).reversed().first { outputsPerGroup % $0 == 0 }!
    }

    /// `[outputs][perOutput]` → `[outputs / block][perOutput][block]`.
    static func interleave(_ weights: [Int8], outputs: Int, block: Int) -> [Int8] {
        let perOutput = weights.count / outputs
        var result = weights
        for o in 0..<outputs {
            let (blockIndex, lane) = o.quotientAndRemainder(dividingBy: block)
            for i in 0..<perOutput {
                result[(blockIndex * perOutput + i) * block + lane] = weights[o * perOutput + i]
            }
        }
        return result
    }
}
