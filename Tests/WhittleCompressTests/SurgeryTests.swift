import XCTest
import WhittleCompress
import WhittleNN
import WhittleTensor

/// Structured surgery: the smaller graph computes what the masked graph computes.
final class SurgeryTests: XCTestCase {
    func lenet() throws -> Spec {
        try Spec.load(URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/lenet.json").standardized.path)
    }

    func testFilterSurgeryMatchesTheMaskedGraphThroughBatchNormPoolAndFlatten() throws {
        let g = try PruningFixtures.smallConvGraph()
        let pruner = try Pruner(graph: g)
        try pruner.prune(.local(["conv1": 0.5, "conv2": 0.25, "fc1": 0.5]), granularity: .filter,
                         scores: PruneScores.compute(.l2, layers: pruner.layers), rootMean: true)
        let x = PruningFixtures.batch(for: g, count: 5)
        let masked = g.forward(x, mode: .eval)
        let cut = try StructuredSurgery.apply(g, masks: pruner.masks)
        let small = cut.graph
        XCTAssertEqual(small.nodes.map(\.outputShape[0]), [3, 3, 3, 3, 6, 6, 6, 6, 24, 6, 6, 10])
        XCTAssertEqual(cut.keptOutputs["conv1"]?.count, 3)
        XCTAssertTrue(cut.masks.isEmpty, "every mask was a removed filter")
        XCTAssertLessThan(PruningFixtures.maxDifference(small.forward(x, mode: .eval), masked), 1e-5)
        XCTAssertEqual(small.parameterCount, (3 * 9 + 3) + 2 * 3 + (6 * 27 + 6) + 2 * 6 + (24 * 6 + 6) + (6 * 10 + 10))
        // In training mode too (batch statistics of an all-zero channel stay zero).
        let masked2 = g.forward(x, mode: .train), small2 = small.forward(x, mode: .train)
        XCTAssertLessThan(PruningFixtures.maxDifference(small2, masked2), 1e-4)
    }

    func testChannelSurgeryRemovesTheProducersFilters() throws {
        let g = try PruningFixtures.smallConvGraph()
        let pruner = try Pruner(graph: g)
        // fc1 reads conv2's 8 channels as 8 blocks of 2×2 features: prune half of them.
        try pruner.prune(.local(["fc1": 0.5, "conv2": 0.5]), granularity: .channel, scores: PruneScores.compute(.l1, layers: pruner.layers))
        let x = PruningFixtures.batch(for: g)
        let masked = g.forward(x, mode: .eval)
        let cut = try StructuredSurgery.apply(g, masks: pruner.masks)
        XCTAssertEqual(cut.keptOutputs["conv1"]?.count, 3, "conv2 no longer reads 3 of conv1's filters")
        XCTAssertEqual(cut.keptOutputs["conv2"]?.count, 4)
        XCTAssertEqual(cut.graph.nodes[9].inputShape, [16])
        XCTAssertLessThan(PruningFixtures.maxDifference(cut.graph.forward(x, mode: .eval), masked), 1e-5)
    }

    func testUnstructuredMasksCarryOverSliced() throws {
        let g = try PruningFixtures.smallConvGraph()
        let pruner = try Pruner(graph: g)
        let scores = try PruneScores.compute(.l1, layers: pruner.layers)
        try pruner.prune(.local(["conv1": 0.5]), granularity: .filter, scores: scores)
        try pruner.prune(.local(["conv2": 0.5]), granularity: .element, scores: scores)
        let cut = try StructuredSurgery.apply(g, masks: pruner.masks)
        let mask = try XCTUnwrap(cut.masks["conv2.weight"])
        XCTAssertEqual(mask.shape, [8, 3, 3, 3])
        let conv2 = cut.graph.nodes[4].layer as! Conv2d
        for i in 0..<mask.count where mask.storage[i] == 0 { XCTAssertEqual(conv2.weight.value.storage[i], 0) }
    }

    func testHalfTheLeNetFiltersGiveThePeerSizes() throws {
        let g = try lenet().buildGraph()
        let pruner = try Pruner(graph: g)
        try pruner.prune(.local(["conv1": 0.5, "conv2": 0.5]), granularity: .filter,
                         scores: PruneScores.compute(.l2, layers: pruner.layers), rootMean: true)
        let small = try StructuredSurgery.apply(g, masks: pruner.masks).graph
        let summary = ModelSummary(small)
        XCTAssertEqual(summary.totalParameters, 27_180)
        XCTAssertEqual(summary.totalMACs, 107_880)
        XCTAssertEqual(PrunableLayer.all(in: small).map(\.outputs), [3, 8, 120, 84, 10])
    }

    func testSurgeryRefusesWhatItCannotDo() throws {
        let g = try PruningFixtures.smallConvGraph()
        XCTAssertThrowsError(try StructuredSurgery.check(g, layers: ["fc2"], granularity: .filter)) { error in
            XCTAssertTrue("\(error)".contains("'fc2'") && "\(error)".contains("model's outputs"), "\(error)")
        }
        XCTAssertThrowsError(try StructuredSurgery.check(g, layers: ["conv1"], granularity: .channel)) { error in
            XCTAssertTrue("\(error)".contains("model input"), "\(error)")
        }
        XCTAssertNoThrow(try StructuredSurgery.check(g, layers: ["conv1", "conv2", "fc1"], granularity: .filter))
        let residual = try PruningFixtures.spec("""
        {"name": "res", "input": [2, 6, 6], "layers": [
          {"name": "c1", "type": "conv2d", "out_channels": 2, "kernel": 3, "padding": 1},
          {"name": "sum", "type": "add", "inputs": ["input", "c1"]},
          {"name": "c2", "type": "conv2d", "out_channels": 2, "kernel": 3}]}
        """).buildGraph()
        XCTAssertThrowsError(try StructuredSurgery.check(residual, layers: ["c1"], granularity: .filter)) { error in
            XCTAssertTrue("\(error)".contains("layer 'c1': its outputs are added to the model input (joined by 'sum')"), "\(error)")
        }
    }
}
