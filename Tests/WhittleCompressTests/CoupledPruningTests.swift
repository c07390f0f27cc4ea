import XCTest
import WhittleCompress
import WhittleNN
import WhittleTensor

/// Filter pruning on residual and depthwise-separable nets: coupled channels go together, and
/// the smaller graph from surgery computes what the masked graph computes.
final class CoupledPruningTests: XCTestCase {
    /// The default filter-pruning targets of `g` (every layer whose output channels can go).
    func filterTargets(_ g: Graph, criterion: PruneCriterion = .l2) -> [String] {
        var spec = PruneSpec()
        spec.granularity = .filter
        spec.criterion = criterion
        return PruneRun(spec, file: "t.json").targetLayers(g)
    }

    /// Prunes, cuts, and checks the cut graph against the masked one on random inputs (eval mode).
    func pruneAndCut(_ g: Graph, _ amount: PruneAmount, _ criterion: PruneCriterion = .l2,
                     file: StaticString = #filePath, line: UInt = #line) throws -> (Pruner, SurgeryResult) {
        let pruner = try Pruner(graph: g)
        let scored = pruner.layersScored(for: amount.layerNames, granularity: .filter)
        try pruner.prune(amount, granularity: .filter, scores: PruneScores.compute(criterion, layers: scored),
                         rootMean: PruneScores.groupsUseRootMean(criterion))
        let x = PruningFixtures.batch(for: g, count: 3)
        let masked = g.forward(x, mode: .eval)
        let cut = try StructuredSurgery.apply(g, masks: pruner.masks)
        XCTAssertLessThan(PruningFixtures.maxDifference(cut.graph.forward(x, mode: .eval), masked), 1e-5, file: file, line: line)
        XCTAssertEqual(cut.graph.nodes.map(\.name), g.nodes.map(\.name), file: file, line: line)
        XCTAssertEqual(cut.graph.nodes.map(\.inputs), g.nodes.map(\.inputs), file: file, line: line)
        XCTAssertTrue(cut.masks.isEmpty, "every mask was a removed channel", file: file, line: line)
        return (pruner, cut)
    }

    func widths(_ g: Graph) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: PrunableLayer.all(in: g).map { ($0.name, $0.outputs) })
    }

    func prunedRows(_ mask: Tensor?) -> [Int] {
        guard let mask else { return [] }
        let perRow = mask.count / mask.shape[0]
        return (0..<mask.shape[0]).filter { o in (0..<perRow).allSatisfy { mask.storage[o * perRow + $0] == 0 } }
    }

    func testCoupledFiltersShareOneScoreAndLoseTheSameChannels() throws {
        let g = try GraphNetFixtures.graph(GraphNetFixtures.resnet8(widths: (8, 8, 12)))
        let pruner = try Pruner(graph: g)
        let stem = pruner.layer(named: "stem")!, s1c2 = pruner.layer(named: "s1c2")!
        // The rule: channel c scores √(Σ‖W_p[c]‖² / Σ fan-in) over both producers; the lowest half goes.
        func squares(_ l: PrunableLayer, _ c: Int) -> Float { l.weight.value.storage[(c * l.fanIn)..<((c + 1) * l.fanIn)].reduce(0) { $0 + $1 * $1 } }
        let alone = (0..<8).sorted { squares(stem, $0) < squares(stem, $1) }.prefix(4).sorted()
        // Make s1c2 lean on the filters the stem alone would drop.
        for c in alone { for e in (c * s1c2.fanIn)..<((c + 1) * s1c2.fanIn) { s1c2.weight.value.storage[e] *= 4 } }
        let expected = (0..<8).sorted { squares(stem, $0) + squares(s1c2, $0) < squares(stem, $1) + squares(s1c2, $1) }.prefix(4).sorted()
        XCTAssertNotEqual(expected, alone, "the fixture tells the coupled score from the stem's own")
        try pruner.prune(.local(["s1c2": 0.5]), granularity: .filter, scores: PruneScores.compute(.l2, layers: pruner.layers), rootMean: true)
        XCTAssertEqual(prunedRows(pruner.masks["stem.weight"]), expected)
        XCTAssertEqual(prunedRows(pruner.masks["s1c2.weight"]), expected)
        let keep = (0..<8).map { expected.contains($0) ? Float(0) : 1 }
        for name in ["stem.bias", "s1c2.bias", "stembn.weight", "stembn.bias", "s1b2.weight", "s1b2.bias"] {
            XCTAssertEqual(pruner.masks[name]?.storage, keep, name)
        }
        XCTAssertEqual(pruner.masks.keys.sorted().filter { $0.hasSuffix(".weight") }, ["s1b2.weight", "s1c2.weight", "stem.weight", "stembn.weight"],
                       "readers keep their weights; surgery cuts their inputs")
        // Different ratios for one space are an error naming both layers.
        XCTAssertThrowsError(try pruner.prune(.local(["stem": 0.5, "s1c2": 0.25]), granularity: .filter,
                                              scores: PruneScores.compute(.l2, layers: pruner.layers))) { error in
            XCTAssertTrue("\(error)".contains("layers 'stem' (0.5) and 's1c2' (0.25) share their output channels"), "\(error)")
        }
    }

    func testResNetFilterSurgeryMatchesTheMaskedGraph() throws {
        let g = try GraphNetFixtures.graph(GraphNetFixtures.resnet8())
        let names = filterTargets(g)
        XCTAssertEqual(names, ["stem", "s1c1", "s1c2", "s2c1", "s2c2", "s2skip", "s3c1", "s3c2", "s3skip"])
        let (_, cut) = try pruneAndCut(g, .local(Dictionary(uniqueKeysWithValues: names.map { ($0, 0.5) })))
        XCTAssertEqual(widths(cut.graph), ["stem": 2, "s1c1": 2, "s1c2": 2, "s2c1": 4, "s2c2": 4, "s2skip": 4,
                                           "s3c1": 6, "s3c2": 6, "s3skip": 6, "fc": 10])
        XCTAssertEqual(cut.keptOutputs["stem"], cut.keptOutputs["s1c2"])
        XCTAssertEqual(cut.keptOutputs["s2c2"], cut.keptOutputs["s2skip"])
        XCTAssertEqual((cut.graph.nodes[g.index(of: "fc")!].layer as! Linear).inFeatures, 6)
        XCTAssertLessThan(cut.graph.parameterCount, g.parameterCount * 2 / 5)
    }

    func testGlobalScopeCountsACoupledSpaceOnce() throws {
        let g = try GraphNetFixtures.graph(GraphNetFixtures.resnet8())
        let (_, cut) = try pruneAndCut(g, .global(layers: filterTargets(g), sparsity: 0.5), .bnScaling)
        // Six spaces of 4, 4, 8, 8, 12 and 12 channels: half of their 48 channels go.
        let w = widths(cut.graph)
        let kept = ["stem", "s1c1", "s2c1", "s2c2", "s3c1", "s3c2"].map { w[$0]! }
        XCTAssertEqual(kept.reduce(0, +), 24, "\(w)")
    }

    func testDepthwiseSeparableFilterSurgeryShrinksTheDepthwiseConvs() throws {
        let g = try GraphNetFixtures.graph(GraphNetFixtures.dscnn)
        let names = filterTargets(g)
        XCTAssertEqual(names, ["conv0", "dw1", "pw1", "dw2", "pw2"])
        let (pruner, cut) = try pruneAndCut(g, .local(Dictionary(uniqueKeysWithValues: names.map { ($0, 0.5) })))
        XCTAssertEqual(prunedRows(pruner.masks["dw1.weight"]), prunedRows(pruner.masks["conv0.weight"]))
        XCTAssertEqual(pruner.masks["dw1.bias"]?.storage, pruner.masks["conv0.bias"]?.storage)
        XCTAssertEqual(widths(cut.graph), ["conv0": 3, "dw1": 3, "pw1": 5, "dw2": 5, "pw2": 6, "fc": 10])
        let dw2 = try XCTUnwrap(cut.graph.nodes[g.index(of: "dw2")!].layer as? Conv2d)
        XCTAssertEqual([dw2.inChannels, dw2.outChannels, dw2.groups], [5, 5, 5])
        XCTAssertEqual(dw2.stride.h, 2, "geometry is copied")
        XCTAssertEqual(dw2.padding, Padding2D(1, 1))
    }

    func testSlimmingScoresACoupledChannelByTheSumOfItsGammas() throws {
        let g = try GraphNetFixtures.graph(GraphNetFixtures.resnet8())
        // stem's space holds stembn and s1b2: mean |γ| = [0.505, 0.01, 0.35, 0.51] drops channels 1 and 2,
        // where either BatchNorm alone would drop {1, 3} or {0, 1}.
        (g.nodes[g.index(of: "stembn")!].layer as! BatchNorm).weight.value = Tensor(shape: [4], storage: [1, 0.01, 0.5, 0.02])
        (g.nodes[g.index(of: "s1b2")!].layer as! BatchNorm).weight.value = Tensor(shape: [4], storage: [0.01, -0.01, 0.2, -1])
        let names = filterTargets(g, criterion: .bnScaling)
        let (pruner, cut) = try pruneAndCut(g, .local(Dictionary(uniqueKeysWithValues: names.map { ($0, 0.5) })), .bnScaling)
        XCTAssertEqual(prunedRows(pruner.masks["stem.weight"]), [1, 2])
        XCTAssertEqual(cut.keptOutputs["s1c2"], [0, 3])
        let (_, global) = try pruneAndCut(try GraphNetFixtures.graph(GraphNetFixtures.resnet8()), .global(layers: names, sparsity: 0.5), .bnScaling)
        XCTAssertLessThan(global.graph.parameterCount, g.parameterCount)
    }

    func testChannelPruningOfResidualReadersKeepsWhatAnyReaderReads() throws {
        let g = try GraphNetFixtures.graph(GraphNetFixtures.resnet8())
        var spec = PruneSpec()
        spec.granularity = .channel
        let names = PruneRun(spec, file: "t.json").targetLayers(g)
        XCTAssertFalse(names.contains("stem"), "it reads the model input")
        let pruner = try Pruner(graph: g)
        try pruner.prune(.local(Dictionary(uniqueKeysWithValues: names.map { ($0, 0.5) })), granularity: .channel,
                         scores: PruneScores.compute(.l1, layers: pruner.layers))
        let x = PruningFixtures.batch(for: g, count: 3)
        let masked = g.forward(x, mode: .eval)
        let cut = try StructuredSurgery.apply(g, masks: pruner.masks)
        XCTAssertLessThan(PruningFixtures.maxDifference(cut.graph.forward(x, mode: .eval), masked), 1e-5)
        // s1c1 is the only reader of its space: half of it goes. Stem's space has three readers.
        XCTAssertEqual(widths(cut.graph)["s1c1"], 2)
        let stemReaders = ["s1c1", "s2c1", "s2skip"].map { prunedChannels(pruner, $0) }
        let unreadByAll = Set(0..<4).subtracting(stemReaders.map { Set(0..<4).subtracting($0) }.reduce(Set<Int>()) { $0.union($1) })
        XCTAssertEqual(widths(cut.graph)["stem"], 4 - unreadByAll.count)
    }

    /// The input channels channel pruning masked in a conv.
    func prunedChannels(_ pruner: Pruner, _ name: String) -> Set<Int> {
        let layer = pruner.layer(named: name)!, mask = pruner.masks[layer.weightName]!
        let taps = layer.kernel.h * layer.kernel.w
        return Set((0..<layer.inputs).filter { i in (0..<layer.outputs).allSatisfy { o in
            (0..<taps).allSatisfy { mask.storage[(o * layer.inputs + i) * taps + $0] == 0 } } })
    }

    func testSlimmingRunOnAResidualNetShrinksItAndTheCheckpointLoads() throws {
        let prune = #"{"criterion": "bn_scaling", "granularity": "filter", "scope": "global", "sparsity": 0.5, "slimming": {"penalty": 0.05, "train": {"epochs": 1, "batch_size": 50, "optimizer": {"lr": 0.05, "momentum": 0.9}}}, "fine_tune": {"epochs": 1, "batch_size": 50, "optimizer": {"lr": 0.02, "momentum": 0.5}}}"#
        for layers in [GraphNetFixtures.resnet8(), GraphNetFixtures.dscnn] {
            let spec = try GraphNetFixtures.spec(layers, prune: prune)
            let g = try spec.buildGraph()
            let data = PruningFixtures.digits(300)
            let outcome = try PruneRun(spec.prune!, file: "net.json").run(g, train: data, test: data.subset(Array(0..<100)))
            XCTAssertLessThan(outcome.graph.parameterCount, outcome.before.totalParameters)
            XCTAssertFalse(outcome.slimming?.pruned.isEmpty ?? true)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("whittle-coupled-\(UUID().uuidString).safetensors").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try Checkpoint.save(outcome.graph, to: path)
            let loaded = try spec.adapted(toCheckpoint: path).buildGraph()
            _ = try Checkpoint.load(path, into: loaded)
            let x = PruningFixtures.batch(for: g, count: 2)
            XCTAssertEqual(loaded.forward(x, mode: .eval), outcome.graph.forward(x, mode: .eval))
        }
    }
}
