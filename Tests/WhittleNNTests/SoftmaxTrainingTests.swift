import XCTest
import WhittleNN
import WhittleTensor

/// A model ending in softmax trains on the logits before it (stable cross-entropy) and
/// outputs probabilities.
final class SoftmaxTrainingTests: XCTestCase {
    /// Three separable blobs of 4 features.
    func blobs(count: Int, seed: UInt64) -> Dataset {
        var rng = RNG(seed: seed)
        var values: [Float] = [], labels: [Int32] = []
        for i in 0..<count {
            let label = i % 3
            for f in 0..<4 { values.append((f == label ? 2 : 0) + rng.uniform(-1, 1)) }
            labels.append(Int32(label))
        }
        return Dataset(name: "blobs", sampleShape: [4], values: .floats(values), labels: labels, classes: 3,
                       normalization: Normalization(scale: 1, mean: 0, std: 1))
    }

    func spec(softmax: Bool) throws -> Spec {
        try Fixtures.spec("""
        {"name": "mlp", "input": [4], "layers": [
          {"name": "fc1", "type": "linear", "out_features": 8}, {"type": "relu"},
          {"name": "fc2", "type": "linear", "out_features": 3}\(softmax ? #", {"name": "prob", "type": "softmax"}"# : "")],
         "train": {"epochs": 4, "batch_size": 16, "seed": 5, "optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9}}}
        """)
    }

    func testTrainsOnTheLogitsAndOutputsProbabilities() throws {
        let train = blobs(count: 240, seed: 1), test = blobs(count: 60, seed: 2)
        let withSoftmax = try spec(softmax: true), without = try spec(softmax: false)
        let a = try withSoftmax.buildGraph(), b = try without.buildGraph()
        XCTAssertEqual(a.logitsIndex, 2)
        let reports = try Trainer(graph: a, recipe: withSoftmax.train).fit(train: train, test: nil)
        _ = try Trainer(graph: b, recipe: without.train).fit(train: train, test: nil)
        XCTAssertLessThan(reports.last!.loss, reports.first!.loss * 0.5, "the loss should fall: \(reports.map(\.loss))")
        // Cross-entropy skips the softmax: the same steps as the model without it.
        for (x, y) in zip(a.namedParameters, b.namedParameters) { XCTAssertEqual(x.parameter.value, y.parameter.value, x.name) }
        let ea = Evaluator.evaluate(a, on: test), eb = Evaluator.evaluate(b, on: test)
        XCTAssertEqual(ea.predictions, eb.predictions)
        XCTAssertEqual(ea.loss, eb.loss, accuracy: 1e-9)
        XCTAssertGreaterThan(ea.accuracy, 0.9)
        let probabilities = Evaluator.logits(a, on: test)
        for i in 0..<test.count {
            XCTAssertEqual(probabilities.storage[(i * 3)..<(i * 3 + 3)].reduce(0, +), 1, accuracy: 1e-5)
        }
    }

    /// MSE reads the probabilities, so it trains through the softmax's backward.
    func testMeanSquaredErrorTrainsThroughTheSoftmax() throws {
        var s = try spec(softmax: true)
        s.train.loss = .mse
        s.train.optimizer.lr = 0.5
        let g = try s.buildGraph()
        let reports = try Trainer(graph: g, recipe: s.train).fit(train: blobs(count: 240, seed: 1), test: nil)
        XCTAssertLessThan(reports.last!.loss, reports.first!.loss, "\(reports.map(\.loss))")
    }

    func testSoftmaxOnlyLast() {
        XCTAssertThrowsError(try Fixtures.spec("""
        {"name": "m", "input": [4], "layers": [{"name": "p", "type": "softmax"}, {"type": "linear", "out_features": 2}]}
        """, file: "bad.json").buildGraph(file: "bad.json")) {
            XCTAssertEqual("\($0)", "bad.json: layers[0] 'p' (softmax): softmax is allowed only as the last layer")
        }
        XCTAssertThrowsError(try Fixtures.spec("""
        {"name": "m", "input": [2, 3, 3], "layers": [{"name": "p", "type": "softmax"}]}
        """, file: "bad.json").buildGraph(file: "bad.json")) {
            XCTAssertTrue("\($0)".contains("layer 'p' (softmax): expects a [features] or [channels, 1, 1] input"), "\($0)")
        }
    }
}
