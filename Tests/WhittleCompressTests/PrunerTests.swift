import XCTest
import WhittleCompress
import WhittleNN
import WhittleTensor

/// Masks: scope, monotonicity, fine-tuning with momentum, removal.
final class PrunerTests: XCTestCase {
    func testGlobalThresholdVersusLocalRatios() throws {
        func twoLayers() throws -> Graph {
            var rng = RNG(seed: 1)
            let a = Linear(inFeatures: 4, outFeatures: 1, rng: &rng), b = Linear(inFeatures: 1, outFeatures: 4, rng: &rng)
            a.weight.value = Tensor(shape: [1, 4], storage: [10, 11, 12, 13])
            b.weight.value = Tensor(shape: [4, 1], storage: [1, 2, 3, 20])
            let g = Graph(inputShape: [4])
            try g.append("a", .layer(a))
            try g.append("b", .layer(b))
            return g
        }
        let local = try Pruner(graph: try twoLayers())
        try local.prune(.local(["a": 0.5, "b": 0.5]), granularity: .element, scores: PruneScores.compute(.l1, layers: local.layers))
        XCTAssertEqual(local.masks["a.weight"]!.storage, [0, 0, 1, 1])
        XCTAssertEqual(local.masks["b.weight"]!.storage, [0, 0, 1, 1])
        let global = try Pruner(graph: try twoLayers())
        try global.prune(.global(layers: ["a", "b"], sparsity: 0.5), granularity: .element, scores: PruneScores.compute(.l1, layers: global.layers))
        XCTAssertEqual(global.masks["a.weight"]!.storage, [0, 1, 1, 1], "one threshold: 1, 2, 3 and 10 are the four smallest")
        XCTAssertEqual(global.masks["b.weight"]!.storage, [0, 0, 0, 1])
        // A global threshold that would empty a layer is an error naming it.
        let wipe = try Pruner(graph: try twoLayers())
        XCTAssertThrowsError(try wipe.prune(.global(layers: ["a", "b"], sparsity: 0.7), granularity: .filter,
                                            scores: PruneScores.compute(.l1, layers: wipe.layers))) { error in
            XCTAssertTrue("\(error)".contains("layer 'a'"), "\(error)")
        }
    }

    func testPruningEveryFilterIsAnError() throws {
        let g = try PruningFixtures.smallConvGraph()
        let pruner = try Pruner(graph: g)
        XCTAssertThrowsError(try pruner.prune(.local(["conv1": 0.95]), granularity: .filter,
                                              scores: PruneScores.compute(.l1, layers: pruner.layers))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("layer 'conv1'") && text.contains("removes all 6 filters") && text.contains("0.8333"), text)
            XCTAssertFalse(text.contains("\n"))
        }
    }

    func testMasksOnlyGrowAndAdoptedMasksApply() throws {
        let g = try PruningFixtures.linear([1, 2, 3, 4, 5, 6, 7, 8], out: 1)
        let fc = g.nodes[0].layer as! Linear
        let pruner = try Pruner(graph: g, masks: ["fc.weight": Tensor(shape: [1, 8], storage: [1, 1, 1, 1, 1, 1, 1, 0])])
        XCTAssertEqual(fc.weight.value.storage[7], 0, "adopted masks are applied")
        // The masked 8 scores lowest now, so pruning 25% takes it and the 1.
        try pruner.prune(.local(["fc": 0.25]), granularity: .element, scores: PruneScores.compute(.l1, layers: pruner.layers))
        XCTAssertEqual(pruner.masks["fc.weight"]!.storage, [0, 1, 1, 1, 1, 1, 1, 0])
        try pruner.prune(.local(["fc": 0.5]), granularity: .element, scores: PruneScores.compute(.l1, layers: pruner.layers))
        XCTAssertEqual(pruner.masks["fc.weight"]!.storage, [0, 0, 0, 1, 1, 1, 1, 0])
        XCTAssertEqual(pruner.density("fc.weight"), 0.5)
        XCTAssertThrowsError(try Pruner(graph: g, masks: ["fc.weight": Tensor(shape: [8], storage: [Float](repeating: 1, count: 8))])) { error in
            XCTAssertTrue("\(error)".contains("shape [8]"), "\(error)")
        }
        XCTAssertThrowsError(try Pruner(graph: g, masks: ["fc.gamma": Tensor(shape: [1], storage: [1])]))
    }

    func testMasksHoldThroughMomentumFineTuningAndRemoveMakesThemPermanent() throws {
        let spec = try PruningFixtures.spec(PruningFixtures.tinyMLP)
        let g = try spec.buildGraph()
        let data = PruningFixtures.digits(600)
        _ = try Trainer(graph: g, recipe: spec.train).fit(train: data, test: nil)  // momentum buffers of a trained model
        let pruner = try Pruner(graph: g)
        try pruner.prune(.local(["fc1": 0.8, "fc2": 0.5]), granularity: .element, scores: PruneScores.compute(.l1, layers: pruner.layers))
        let mask = pruner.masks["fc1.weight"]!
        let fc1 = g.nodes[1].layer as! Linear
        let before = fc1.weight.value
        var recipe = spec.train
        recipe.seed = 7
        let trainer = Trainer(graph: g, recipe: recipe)
        pruner.attach(to: trainer)
        var checked = 0
        trainer.afterStep.append { _ in
            // Zero after every step, not only at the end.
            for i in 0..<mask.count where mask.storage[i] == 0 && fc1.weight.value.storage[i] != 0 { XCTFail("masked weight \(i) moved"); return }
            checked += 1
        }
        _ = try trainer.fit(train: data, test: nil)
        let masked = mask.count - Int(mask.storage.reduce(0, +))
        XCTAssertEqual(checked, 12)
        XCTAssertEqual(fc1.weight.value.zeroCount, masked, "exactly the masked weights are zero")
        XCTAssertNotEqual(fc1.weight.value, before, "unmasked weights were trained")
        // remove() keeps the zeros and drops the masks; training on leaves the zeros free to move.
        pruner.remove()
        XCTAssertTrue(pruner.masks.isEmpty)
        XCTAssertEqual(fc1.weight.value.zeroCount, masked)
        _ = try Trainer(graph: g, recipe: recipe).fit(train: data, test: nil)
        XCTAssertLessThan(fc1.weight.value.zeroCount, masked, "without masks the pruned weights train again")
    }

    func testAllOnesMasksComputeTheDenseFunction() throws {
        let g = try PruningFixtures.smallConvGraph()
        let x = PruningFixtures.batch(for: g)
        let dense = g.forward(x, mode: .eval)
        let ones = Dictionary(uniqueKeysWithValues: g.namedParameters.map { ($0.name, Tensor(shape: $0.parameter.value.shape, repeating: 1)) })
        let pruner = try Pruner(graph: g, masks: ones)
        XCTAssertEqual(g.forward(x, mode: .eval), dense)
        let cut = try StructuredSurgery.apply(g, masks: pruner.masks)
        XCTAssertTrue(cut.masks.isEmpty && cut.keptOutputs.isEmpty)
        XCTAssertEqual(cut.graph.forward(x, mode: .eval), dense)
    }
}
