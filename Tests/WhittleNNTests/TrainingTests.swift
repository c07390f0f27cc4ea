import XCTest
import WhittleNN
import WhittleTensor

final class TrainingTests: XCTestCase {
    /// LeNet on 8,000 synthetic digits for 3 epochs must clear a fixed floor, and the same
    /// seed must give the same weights bit for bit.
    func testLeNetLearnsSyntheticDigitsDeterministically() throws {
        let lenet = try Spec.load(URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../examples/lenet.json").standardized.path)
        var spec = lenet
        spec.data = DataSpec()
        spec.data.synthetic = DataSpec.SyntheticSpec()
        spec.data.synthetic!.train = 8000
        spec.data.synthetic!.test = 1000
        spec.train.epochs = 3
        let source = DataSource.resolve(spec, override: nil)
        let train = try source.load(.train, spec: spec), test = try source.load(.test, spec: spec)
        func run() throws -> (Graph, Double) {
            let g = try spec.buildGraph()
            _ = try Trainer(graph: g, recipe: spec.train).fit(train: train, test: nil)
            return (g, Evaluator.evaluate(g, on: test).accuracy)
        }
        let (a, accuracy) = try run()
        XCTAssertGreaterThan(accuracy, 0.90, "LeNet should learn the synthetic digits")
        let (b, _) = try run()
        for (x, y) in zip(a.namedParameters, b.namedParameters) {
            XCTAssertEqual(x.parameter.value.storage, y.parameter.value.storage, "\(x.name) differs between identical runs")
        }
    }

    func testDivergenceIsReportedNotHidden() throws {
        var spec = try Fixtures.spec(Fixtures.tinyConvSpec)
        spec.train.optimizer.lr = 1e6
        spec.train.optimizer.momentum = 0
        let data = SyntheticDigits.generate(count: 256, seed: 1)
        XCTAssertThrowsError(try Trainer(graph: spec.buildGraph(), recipe: spec.train).fit(train: data, test: nil)) {
            XCTAssertTrue(String(describing: $0).contains("diverged"))
        }
    }
}
