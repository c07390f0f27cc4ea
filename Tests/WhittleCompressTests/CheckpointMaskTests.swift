import XCTest
import WhittleCompress
import WhittleNN
import WhittleTensor

/// Pruned checkpoints: masks saved PyTorch's way, PyTorch's weight_orig form, pruned widths.
final class CheckpointMaskTests: XCTestCase {
    func testMasksRoundTripAndPyTorchOrigForm() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("whittle-masks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let spec = try PruningFixtures.spec(PruningFixtures.smallConvNet)
        let g = try spec.buildGraph(seed: 1)
        let pruner = try Pruner(graph: g)
        try pruner.prune(.local(["conv2": 0.6, "fc1": 0.7]), granularity: .element, scores: PruneScores.compute(.l1, layers: pruner.layers))
        let path = dir.appendingPathComponent("pruned.safetensors").path
        try Checkpoint.save(g, to: path, masks: pruner.masks)
        let file = try SafeTensors(contentsOf: path)
        XCTAssertEqual(file.entries.map(\.name).filter { $0.hasSuffix("_mask") }, ["conv2.weight_mask", "fc1.weight_mask"])
        let h = try spec.buildGraph(seed: 2)
        let masks = try Checkpoint.load(path, into: h)
        XCTAssertEqual(masks, pruner.masks)
        XCTAssertEqual(h.namedParameters.map { $0.parameter.value }, g.namedParameters.map { $0.parameter.value })

        // PyTorch before prune.remove(): weight_orig (dense) and weight_mask; weight = orig · mask.
        var torch = SafeTensors()
        for (name, p) in g.namedParameters {
            if let m = pruner.masks[name] {
                var orig = p.value.storage
                for i in orig.indices where m.storage[i] == 0 { orig[i] = 0.5 }   // what the mask hides
                torch.entries.append((name + "_orig", .init(floats: orig, shape: p.value.shape)))
                torch.entries.append((name + "_mask", .init(floats: m.storage, shape: m.shape)))
            } else {
                torch.entries.append((name, .init(floats: p.value.storage, shape: p.value.shape)))
            }
        }
        for (name, t) in g.namedBuffers { torch.entries.append((name, .init(floats: t.storage, shape: t.shape))) }
        let torchPath = dir.appendingPathComponent("torch.safetensors").path
        try torch.encoded().write(to: URL(fileURLWithPath: torchPath))
        let t = try spec.buildGraph(seed: 3)
        XCTAssertEqual(try Checkpoint.load(torchPath, into: t), pruner.masks)
        XCTAssertEqual(t.namedParameters.map { $0.parameter.value }, g.namedParameters.map { $0.parameter.value })

        // A mask of the wrong shape, or not 0/1, is an error naming the tensor.
        func expectFailure(_ entries: [(String, SafeTensors.Entry)], _ fragments: [String]) throws {
            var bad = try SafeTensors(contentsOf: path)
            bad.entries = bad.entries.filter { e in !entries.contains { $0.0 == e.name } } + entries
            let badPath = dir.appendingPathComponent("bad.safetensors").path
            try bad.encoded().write(to: URL(fileURLWithPath: badPath))
            XCTAssertThrowsError(try Checkpoint.load(badPath, into: try spec.buildGraph())) { error in
                for f in fragments { XCTAssertTrue("\(error)".contains(f), "'\(error)' should contain '\(f)'") }
            }
        }
        try expectFailure([("fc1.weight_mask", .init(floats: [1, 0], shape: [2]))], ["fc1.weight_mask", "[2]"])
        try expectFailure([("fc1.weight_mask", .init(floats: [Float](repeating: 0.5, count: 12 * 32), shape: [12, 32]))], ["fc1.weight_mask", "only 0 and 1"])
        try expectFailure([("fc9.weight_mask", .init(floats: [1], shape: [1]))], ["fc9.weight_mask", "does not belong"])
    }

    func testSpecAdaptsToTheWidthsOfASurgicallyPrunedCheckpoint() throws {
        let spec = try PruningFixtures.spec(PruningFixtures.smallConvNet)
        let g = try spec.buildGraph(seed: 1)
        let pruner = try Pruner(graph: g)
        try pruner.prune(.local(["conv1": 0.5, "conv2": 0.5, "fc1": 0.25]), granularity: .filter, scores: PruneScores.compute(.l2, layers: pruner.layers))
        let small = try StructuredSurgery.apply(g, masks: pruner.masks).graph
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("whittle-small-\(UUID().uuidString).safetensors").path
        try Checkpoint.save(small, to: path)
        XCTAssertThrowsError(try Checkpoint.load(path, into: try spec.buildGraph()), "the spec's widths do not fit")
        let adapted = try spec.adapted(toCheckpoint: path)
        XCTAssertEqual(adapted.layers.compactMap { $0.outChannels ?? $0.outFeatures }, [3, 4, 9, 10])
        let loaded = try adapted.buildGraph()
        try Checkpoint.load(path, into: loaded)
        let x = PruningFixtures.batch(for: g)
        XCTAssertEqual(loaded.forward(x, mode: .eval), small.forward(x, mode: .eval))
    }
}
