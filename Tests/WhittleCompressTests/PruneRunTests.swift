import XCTest
import WhittleCompress
import WhittleNN
import WhittleTensor

/// The whole recipe on small synthetic data: schedules, slimming, surgery, errors.
final class PruneRunTests: XCTestCase {
    static let train = PruningFixtures.digits(1200)
    static let test = SyntheticDigits.generate(count: 300, seed: 77)

    func spec(_ prune: String, layers: String = PruningFixtures.tinyMLPLayers) throws -> Spec {
        try PruningFixtures.spec("""
        {"name": "t", "input": [1, 28, 28], "layers": \(layers),
         "train": {"epochs": 2, "batch_size": 50, "seed": 1, "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9}},
         "prune": \(prune)}
        """, file: "t.json")
    }

    func trained(_ spec: Spec) throws -> Graph {
        let g = try spec.buildGraph()
        _ = try Trainer(graph: g, recipe: spec.train).fit(train: Self.train, test: nil)
        return g
    }

    func testGradualScheduleReachesTheTargetAndBeatsNothing() throws {
        let s = try spec(#"{"scope": "global", "sparsity": 0.9, "schedule": {"type": "cubic", "steps": 5, "epochs": 1}, "fine_tune": {"epochs": 2, "batch_size": 50, "optimizer": {"lr": 0.05, "momentum": 0.5}}}"#)
        let g = try trained(s)
        let outcome = try PruneRun(s.prune!, file: "t.json").run(g, train: Self.train, test: Self.test)
        let layers = LayerSparsity.measure(outcome.graph)
        let weights = layers.reduce(0) { $0 + $1.weights }, nonzero = layers.reduce(0) { $0 + $1.nonzeroWeights }
        XCTAssertEqual(weights - nonzero, Int((0.9 * Double(weights)).rounded(.toNearestOrEven)))
        XCTAssertEqual(outcome.masks.count, 2)
        XCTAssertGreaterThan(outcome.accuracyAfter, 0.5)
        XCTAssertEqual(outcome.epochs, 2)
    }

    func testGradientCriterionOneShotWithKeepMasksOff() throws {
        let s = try spec(#"{"criterion": "gradient", "sparsity": {"fc1": 0.5}, "score_batches": 3, "keep_masks": false}"#)
        let g = try trained(s)
        let outcome = try PruneRun(s.prune!, file: "t.json").run(g, train: Self.train, test: Self.test)
        XCTAssertTrue(outcome.masks.isEmpty)
        XCTAssertEqual(LayerSparsity.measure(outcome.graph)[0].density, 0.5)
        XCTAssertEqual(outcome.accuracyPruned, outcome.accuracyAfter, "no fine-tuning")
    }

    func testSensitivityScanDrivesTheRatios() throws {
        let s = try spec(#"{"sensitivity": {"target": 0.6, "sparsities": [0.3, 0.6, 0.9], "samples": 200}}"#)
        let outcome = try PruneRun(s.prune!, file: "t.json").run(try trained(s), train: Self.train, test: Self.test)
        XCTAssertEqual(outcome.sensitivity.map(\.layer), ["fc1", "fc2"])
        let layers = LayerSparsity.measure(outcome.graph)
        let pruned = layers.reduce(0) { $0 + $1.weights - $1.nonzeroWeights }, total = layers.reduce(0) { $0 + $1.weights }
        XCTAssertEqual(Double(pruned) / Double(total), 0.6, accuracy: 0.002)
    }

    func testSlimmingSeparatesTheGammasAndSurgeryRemovesChannels() throws {
        let layers = """
        [{"name": "conv1", "type": "conv2d", "out_channels": 8, "kernel": 5, "stride": 2}, {"name": "bn1", "type": "batchnorm2d"},
         {"type": "relu"}, {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"name": "fc", "type": "linear", "out_features": 10}]
        """
        let s = try spec(#"{"criterion": "bn_scaling", "granularity": "filter", "scope": "global", "sparsity": 0.5, "slimming": {"penalty": 0.2, "train": {"epochs": 3, "batch_size": 50, "optimizer": {"lr": 0.05, "momentum": 0.9}}}, "fine_tune": {"epochs": 1, "batch_size": 50, "optimizer": {"lr": 0.02, "momentum": 0.5}}}"#,
                         layers: layers)
        let g = try trained(s)
        let outcome = try PruneRun(s.prune!, file: "t.json").run(g, train: Self.train, test: Self.test)
        let slim = try XCTUnwrap(outcome.slimming)
        let after = slim.gammasAfter[0].values.map { abs($0) }.sorted()
        let before = slim.gammasBefore[0].values.map { abs($0) }.sorted()
        // The penalty pulls the weak half well below the strong half (it was not so before).
        let gapAfter = after[4...].reduce(0, +) / after[..<4].reduce(0, +), gapBefore = before[4...].reduce(0, +) / before[..<4].reduce(0, +)
        XCTAssertGreaterThan(gapAfter, 3, "γ after: \(after)")
        XCTAssertGreaterThan(gapAfter, 2 * gapBefore, "γ before: \(before), after: \(after)")
        XCTAssertEqual(slim.pruned["bn1"]?.count, 4)
        XCTAssertEqual(PrunableLayer.all(in: outcome.graph).map(\.outputs), [4, 10])
        XCTAssertGreaterThan(outcome.accuracyAfter, 0.5)
    }

    func testSlimmingPenaltyGradients() {
        // L1: λ·sign(γ).
        XCTAssertEqual(NetworkSlimming(penalty: 0.5).gradient([1, -0.2, 0]), [0.5, -0.5, 0])
        // Polarization, t = 1.2, γ̄ = 0.6: above the mean 1.2 − 1, below it 1.2 + 1, at it 1.2.
        let g = NetworkSlimming(penalty: 1, polarization: 1.2).gradient([1, 0.2, 0.6])
        for (a, b) in zip(g, [0.2, 2.2, 1.2] as [Float]) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    func testErrorsNameTheFileAndLayer() throws {
        let s = try spec(#"{"granularity": "filter", "sparsity": {"fc1": 0.99}}"#)
        XCTAssertThrowsError(try PruneRun(s.prune!, file: "t.json").run(try s.buildGraph(), train: Self.train.prefix(100), test: Self.test)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("t.json: prune: layer 'fc1': sparsity 0.99 removes all 24 filters"), text)
        }
        let out = try spec(#"{"granularity": "filter", "sparsity": {"fc2": 0.5}}"#)
        XCTAssertThrowsError(try PruneRun(out.prune!, file: "t.json").run(try out.buildGraph(), train: Self.train.prefix(100), test: Self.test)) { error in
            XCTAssertTrue("\(error)".contains("layer 'fc2': its outputs are the model's outputs"), "\(error)")
        }
    }
}
