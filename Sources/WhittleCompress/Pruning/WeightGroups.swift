import WhittleNN

/// How one layer's weights fall into the groups a granularity prunes together.
///
/// Element e of a weight [O, I, KH, KW] (linear: [O, I, 1, 1]) in PyTorch order is
/// e = ((o·I + i)·KH + r)·KW + c. Its group is e (element), e / KW (vector: a kernel row),
/// e / (KH·KW) (kernel), o (filter), or i / channelBlock (channel). For N:M the groups are the
/// blocks of M consecutive weights of each output's row of I·KH·KW, the last block of a row
/// possibly shorter (its tail).
public struct WeightGroups: Equatable, Sendable {
    public let granularity: PruneGranularity
    /// The group of every element, in weight order.
    public let groupOfElement: [Int]
    public let count: Int
    /// Elements per group.
    public let sizes: [Int]

    public init(_ granularity: PruneGranularity, for layer: PrunableLayer) {
        self.init(granularity, outputs: layer.outputs, inputs: layer.inputs, kernel: layer.kernel, channelBlock: layer.channelBlock)
    }

    public init(_ granularity: PruneGranularity, outputs: Int, inputs: Int, kernel: (h: Int, w: Int), channelBlock: Int = 1) {
        self.granularity = granularity
        let taps = kernel.h * kernel.w, row = inputs * taps, total = outputs * row
        let group: (Int) -> Int
        switch granularity {
        case .element: group = { $0 }
        case .vector: group = { $0 / kernel.w }
        case .kernel: group = { $0 / taps }
        case .filter: group = { $0 / row }
        case .channel: group = { ($0 / taps) % inputs / channelBlock }
        case .nm(_, let m):
            let blocksPerRow = (row + m - 1) / m
            group = { ($0 / row) * blocksPerRow + ($0 % row) / m }
        }
        groupOfElement = (0..<total).map(group)
        count = (groupOfElement.max() ?? -1) + 1
        var sizes = [Int](repeating: 0, count: count)
        for g in groupOfElement { sizes[g] += 1 }
        self.sizes = sizes
    }

    /// Averages element scores over each group: the arithmetic mean, or with `rootMean` the
    /// root of the mean (so squared weights give each group's RMS, its L2 norm / √size).
    public func groupScores(_ elementScores: [Float], rootMean: Bool = false) -> [Float] {
        var sums = [Double](repeating: 0, count: count)
        for (e, g) in groupOfElement.enumerated() { sums[g] += Double(elementScores[e]) }
        return (0..<count).map { g in
            let mean = sums[g] / Double(max(sizes[g], 1))
            return Float(rootMean ? mean.squareRoot() : mean)
        }
    }

    /// The most nonzero weights any group holds: a weight follows an N:M pattern when this is at
    /// most N for `WeightGroups(.nm(n: N, m: M), …)` (what lowering checks before packing).
    public func maxNonzeros(in weights: [Float]) -> Int {
        var counts = [Int](repeating: 0, count: count)
        for (e, g) in groupOfElement.enumerated() where weights[e] != 0 { counts[g] += 1 }
        return counts.max() ?? 0
    }

    /// The element mask that prunes `pruned` groups (1 kept, 0 pruned).
    public func elementMask(pruned: Set<Int>) -> [Float] {
        groupOfElement.map { pruned.contains($0) ? 0 : 1 }
    }
}
