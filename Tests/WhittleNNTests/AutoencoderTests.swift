import Foundation
import XCTest
import WhittleNN
import WhittleTensor

/// train.target "input": the spec checks, training against the input (labels optional),
/// normal classes, and the reconstruction error as an anomaly score.
final class AutoencoderTests: XCTestCase {
    static let layers = #"{"type": "linear", "out_features": 4}, {"type": "relu"}, {"type": "linear", "out_features": 16}"#

    func testSpecChecksTheTarget() throws {
        func expectError(_ json: String, _ message: String, line: UInt = #line) {
            XCTAssertThrowsError(try Fixtures.spec(json, file: "ae.json"), line: line) { XCTAssertEqual("\($0)", message, line: line) }
        }
        expectError(#"{"name": "a", "input": [16], "layers": [{"type": "linear", "out_features": 8}], "train": {"target": "input"}}"#,
                    #"ae.json: train.target: "input" needs the model's output to hold the input's 16 values [16], but it is [8]"#)
        expectError(#"{"name": "a", "input": [16], "layers": [\#(Self.layers)], "train": {"target": "input", "loss": "cross_entropy"}}"#,
                    #"ae.json: train.loss: a reconstruction (target "input") needs "mse""#)
        expectError(#"{"name": "a", "input": [16], "layers": [\#(Self.layers)], "data": {"normal_classes": [0]}}"#,
                    #"ae.json: data.normal_classes: needs train.target "input" (an autoencoder)"#)
        expectError(#"{"name": "a", "input": [16], "layers": [\#(Self.layers)], "data": {"normal_classes": []}, "train": {"target": "input"}}"#,
                    "ae.json: data.normal_classes: must list class indices (0…65535), e.g. [0]")
        let ok = try Fixtures.spec(#"{"name": "a", "input": [16], "layers": [\#(Self.layers)], "train": {"target": "input"}}"#)
        XCTAssertEqual(ok.train.loss, .mse)
    }

    func testReconstructionLossIsMSEAgainstTheInput() {
        let x = Tensor(shape: [1, 2], storage: [1, -1]), y = Tensor(shape: [1, 2], storage: [0, 1])
        let v = Loss.mse.evaluate(output: y, inputs: x, labels: [0], target: .input)
        XCTAssertEqual(v.loss, (1 + 4) / 2)
        XCTAssertEqual(v.gradient.storage, [-1, 2])
    }

    /// Trained on cluster 0 only, the autoencoder reconstructs the other clusters worse.
    func testNormalClassesGiveAnAnomalyDetector() throws {
        let spec = try Fixtures.spec("""
        {"name": "ae", "input": [16], "layers": [\(Self.layers)],
         "data": {"synthetic": {"train": 3000, "test": 400}, "normal_classes": [0]},
         "train": {"target": "input", "epochs": 10, "batch_size": 16, "optimizer": {"type": "adam", "lr": 0.01}}}
        """)
        let source = DataSource.resolve(spec, override: nil)
        let train = try source.load(.train, spec: spec), test = try source.load(.test, spec: spec)
        XCTAssertEqual(Set(train.labels), [0])
        XCTAssertGreaterThan(Set(test.labels).count, 5)
        let graph = try spec.buildGraph()
        let reports = try Trainer(graph: graph, recipe: spec.train).fit(train: train, test: test)
        XCTAssertLessThan(reports.last!.loss, reports.first!.loss)
        XCTAssertNil(reports.last!.testAccuracy)
        let r = Reconstruction.evaluate(graph, on: test, normalClasses: [0])
        XCTAssertEqual(r.errors.count, test.count)
        XCTAssertGreaterThan(try XCTUnwrap(r.auc), 0.9)
        XCTAssertNil(Reconstruction.evaluate(graph, on: test).auc)
    }

    /// An unlabelled training split (no y_train.npy) trains an autoencoder; a classifier refuses it.
    func testUnlabelledNPYTrainsAnAutoencoder() throws {
        let dir = Fixtures.temporaryFolder()
        let data = try SyntheticData.generate(shape: [16], classes: 3, count: 300, seed: 1)
        guard case .bytes(let b) = data.values else { return XCTFail() }
        try NPYFile.encode(bytes: b, shape: [300, 16]).write(to: dir.appendingPathComponent("x_train.npy"))
        let spec = try Fixtures.spec(#"{"name": "a", "input": [16], "layers": [\#(Self.layers)], "data": {"dir": "\#(dir.path)"}, "train": {"target": "input", "epochs": 1}}"#)
        let train = try DataSource.resolve(spec, override: nil).load(.train, spec: spec)
        XCTAssertFalse(train.isLabelled)
        _ = try Trainer(graph: spec.buildGraph(), recipe: spec.train).fit(train: train, test: nil)
        var classifier = spec
        classifier.train.target = .labels
        classifier.train.loss = .crossEntropy
        XCTAssertThrowsError(try Trainer(graph: classifier.buildGraph(), recipe: classifier.train).fit(train: train, test: nil)) {
            XCTAssertTrue("\($0)".contains("has no labels"), "\($0)")
        }
        var anomaly = spec
        anomaly.data.normalClasses = [0]
        XCTAssertThrowsError(try DataSource.resolve(anomaly, override: nil).load(.train, spec: anomaly)) {
            XCTAssertEqual("\($0)", "\(dir.path)/y_train.npy: missing, but data.normal_classes needs the training labels")
        }
    }
}
