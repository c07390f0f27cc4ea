import XCTest
import WhittleCompress
import WhittleNN
import WhittleTensor

/// Every granularity and criterion on tensors small enough to check by hand.
final class GranularityTests: XCTestCase {
    func mask(_ graph: Graph, _ granularity: PruneGranularity, _ criterion: PruneCriterion = .l1, sparsity: Double,
              layer: String? = nil, gradients: GradientStatistics? = nil) throws -> [Float] {
        let pruner = try Pruner(graph: graph)
        let target = pruner.layers[0]
        let scores = try PruneScores.compute(criterion, layers: pruner.layers, gradients: gradients)
        try pruner.prune(.local([layer ?? target.name: sparsity]), granularity: granularity, scores: scores,
                         rootMean: PruneScores.groupsUseRootMean(criterion))
        return pruner.masks[target.weightName]!.storage
    }

    func testElementL1RemovesTheSmallestMagnitudes() throws {
        let g = try PruningFixtures.linear([1, -5, 2, 0.5, -3, 4, 0.1, 6], out: 2)
        XCTAssertEqual(try mask(g, .element, sparsity: 0.5), [0, 1, 0, 0, 1, 1, 0, 1])
        XCTAssertEqual(g.nodes[0].layer!.parameters[0].parameter.value.storage, [0, -5, 0, 0, -3, 4, 0, 6])
        // PyTorch's rounding: 0.85 of 150 weights is round(127.5) = 128 (ties to even).
        var rng = RNG(seed: 3)
        let conv = try PruningFixtures.conv((0..<150).map { _ in rng.uniform(-1, 1) }, out: 6, in: 1, kernel: 5)
        XCTAssertEqual(try mask(conv, .element, sparsity: 0.85).filter { $0 == 1 }.count, 22)
    }

    func testTwoFourKeepsTheTwoLargestOfEveryFour() throws {
        let g = try PruningFixtures.linear([1, -5, 2, 0.5, -3, 4, 0.1, 6], out: 2)
        XCTAssertEqual(try mask(g, .nm(n: 2, m: 4), sparsity: 0), [0, 1, 1, 0, 0, 1, 0, 1])
    }

    func testNMTailIsAGroupPaddedWithZeros() throws {
        // Six weights per output: one group of four and a tail of two.
        let g = try PruningFixtures.linear([1, 2, 3, 4, 5, -6], out: 1)
        XCTAssertEqual(try mask(g, .nm(n: 2, m: 4), sparsity: 0), [0, 0, 1, 1, 1, 1], "a tail of two keeps both under 2:4")
        let h = try PruningFixtures.linear([1, 2, 3, 4, 5, -6], out: 1)
        XCTAssertEqual(try mask(h, .nm(n: 1, m: 4), sparsity: 0), [0, 0, 0, 1, 0, 1], "under 1:4 the tail keeps its largest")
        // conv1 of LeNet: 25 weights per filter = 6 groups of 4 (2 kept each) + a tail of 1 (kept).
        var rng = RNG(seed: 4)
        let conv = try PruningFixtures.conv((0..<150).map { _ in rng.uniform(-1, 1) }, out: 6, in: 1, kernel: 5)
        let m = try mask(conv, .nm(n: 2, m: 4), sparsity: 0)
        XCTAssertEqual(m.filter { $0 == 1 }.count, 6 * 13)
        for o in 0..<6 { XCTAssertEqual(m[o * 25 + 24], 1, "the tail weight of filter \(o) is kept") }
        let pattern = WeightGroups(.nm(n: 2, m: 4), outputs: 6, inputs: 1, kernel: (5, 5))
        XCTAssertEqual(pattern.count, 6 * 7)
        XCTAssertEqual(pattern.maxNonzeros(in: conv.namedParameters[0].parameter.value.storage), 2)
        XCTAssertEqual(pattern.maxNonzeros(in: [Float](repeating: 1, count: 150)), 4)
        // The 3:8 pattern: in each group of eight of a 16-wide row, exactly three survive.
        let wide = try PruningFixtures.linear((0..<32).map { Float(($0 * 7) % 16) - 7.5 }, out: 2)
        let w = try mask(wide, .nm(n: 3, m: 8), sparsity: 0)
        for block in 0..<4 { XCTAssertEqual(w[(block * 8)..<(block * 8 + 8)].reduce(0, +), 3) }
    }

    func testFilterL2AndL1DisagreeAsTheNormsSay() throws {
        // Row A = [3, 0, 0, 0]: L1 3, L2 3. Row B = [1, 1, 1, 1]: L1 4, L2 2. Row C is large.
        let weights: [Float] = [3, 0, 0, 0, 1, 1, 1, 1, 5, 5, 5, 5]
        let l2 = try PruningFixtures.linear(weights, out: 3, bias: [1, 2, 3])
        XCTAssertEqual(try mask(l2, .filter, .l2, sparsity: 1.0 / 3), [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1], "L2 removes B")
        let pruner = try Pruner(graph: l2)
        XCTAssertNil(pruner.masks["fc.bias"], "a new pruner starts without masks")
        let l1 = try PruningFixtures.linear(weights, out: 3, bias: [1, 2, 3])
        let p1 = try Pruner(graph: l1)
        try p1.prune(.local(["fc": 1.0 / 3]), granularity: .filter, scores: PruneScores.compute(.l1, layers: p1.layers))
        XCTAssertEqual(p1.masks["fc.weight"]!.storage, [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1], "L1 removes A")
        XCTAssertEqual(p1.masks["fc.bias"]!.storage, [0, 1, 1], "a removed filter takes its bias")
        XCTAssertEqual((l1.nodes[0].layer as! Linear).bias!.value.storage, [0, 2, 3])
    }

    func testChannelKernelAndVector() throws {
        // Linear [2, 3]: column norms 2, 0.2, 9 → channel 1 goes.
        let lin = try PruningFixtures.linear([1, 0.1, 4, 1, 0.1, 5], out: 2)
        XCTAssertEqual(try mask(lin, .channel, sparsity: 0.34), [1, 0, 1, 1, 0, 1])
        // Conv [1, 2, 2, 2]: kernel 0 is large, kernel 1 small → kernel 1 goes.
        let k = try PruningFixtures.conv([1, 1, 1, 1, 0.1, 0.2, 0.1, 0.2], out: 1, in: 2, kernel: 2)
        XCTAssertEqual(try mask(k, .kernel, sparsity: 0.5), [1, 1, 1, 1, 0, 0, 0, 0])
        // Vectors are kernel rows: rows [1, 2], [0.1, 0.2], [3, 0], [0, 0.05].
        let v = try PruningFixtures.conv([1, 2, 0.1, 0.2, 3, 0, 0, 0.05], out: 1, in: 2, kernel: 2)
        XCTAssertEqual(try mask(v, .vector, sparsity: 0.5), [1, 1, 0, 0, 1, 1, 0, 0])
        // A linear layer is a 1×1 convolution: its kernels are single weights.
        let groups = WeightGroups(.kernel, outputs: 2, inputs: 3, kernel: (1, 1))
        XCTAssertEqual(groups.count, 6)
        // A linear layer after flatten of [4, 2, 2]: a channel is four consecutive features.
        let flat = WeightGroups(.channel, outputs: 1, inputs: 16, kernel: (1, 1), channelBlock: 4)
        XCTAssertEqual(flat.groupOfElement, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3])
    }

    func testGradientAndOBDCriteria() throws {
        let g = try PruningFixtures.linear([1, 2], out: 1)
        let layers = PrunableLayer.all(in: g)
        var stats = GradientStatistics()
        layers[0].weight.grad = Tensor(shape: [1, 2], storage: [3, 0.5]); stats.accumulate(layers)
        layers[0].weight.grad = Tensor(shape: [1, 2], storage: [-3, 0.5]); stats.accumulate(layers)
        XCTAssertEqual(stats.meanAbsolute("fc.weight"), [3, 0.5])
        XCTAssertEqual(stats.meanSquare("fc.weight"), [9, 0.25])
        // OBD: ½·h·w² = [4.5, 0.5] → the larger weight goes, because the loss barely feels it.
        XCTAssertEqual(try PruneScores.compute(.obd, layers: layers, gradients: stats)["fc.weight"], [4.5, 0.5])
        XCTAssertEqual(try mask(g, .element, .obd, sparsity: 0.5, gradients: stats), [1, 0])
        XCTAssertEqual(try mask(try PruningFixtures.linear([1, 2], out: 1), .element, .gradient, sparsity: 0.5, gradients: stats), [1, 0])
        XCTAssertThrowsError(try PruneScores.compute(.gradient, layers: layers))
    }

    func testGradientStatisticsComeFromRealBatchesWithoutSideEffects() throws {
        let g = try PruningFixtures.smallConvGraph()
        let data = PruningFixtures.digits(64)
        let images = Dataset(name: "x", sampleShape: [1, 14, 14], values: .floats((0..<(64 * 196)).map { Float($0 % 13) / 13 }),
                             labels: data.labels, classes: 10, normalization: Normalization(scale: 1, mean: 0.5, std: 0.5))
        let bn = g.nodes[1].layer as! BatchNorm
        let mean = bn.runningMean
        let layers = PrunableLayer.all(in: g)
        let before = layers.map { $0.weight.value }
        let stats = GradientStatistics.collect(g, layers: layers, data: images, batches: 3, batchSize: 16, seed: 0)
        XCTAssertEqual(stats.batches, 3)
        XCTAssertEqual(bn.runningMean, mean, "BatchNorm statistics are restored")
        XCTAssertEqual(layers.map { $0.weight.value }, before, "weights untouched")
        XCTAssertGreaterThan(stats.meanSquare("conv1.weight")!.reduce(0, +), 0)
    }

    func testBatchNormScalingScoresFiltersByGamma() throws {
        let g = try PruningFixtures.smallConvGraph()
        let bn = g.nodes[1].layer as! BatchNorm
        bn.weight.value = Tensor(shape: [6], storage: [0.5, -0.01, 2, 1, -0.02, 0.9])
        let pruner = try Pruner(graph: g)
        let scores = try PruneScores.compute(.bnScaling, layers: [pruner.layer(named: "conv1")!])
        try pruner.prune(.local(["conv1": 2.0 / 6]), granularity: .filter, scores: scores)
        XCTAssertEqual(pruner.masks["bn1.weight"]!.storage, [1, 0, 1, 1, 0, 1])
        XCTAssertEqual(pruner.masks["bn1.bias"]!.storage, [1, 0, 1, 1, 0, 1])
        XCTAssertEqual(pruner.masks["conv1.bias"]!.storage, [1, 0, 1, 1, 0, 1])
        XCTAssertEqual(bn.weight.value.storage[1], 0)
        XCTAssertThrowsError(try PruneScores.compute(.bnScaling, layers: [pruner.layer(named: "fc1")!])) { error in
            XCTAssertTrue("\(error)".contains("batchnorm"), "\(error)")
        }
    }
}
