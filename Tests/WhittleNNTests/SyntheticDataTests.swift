import Foundation
import XCTest
import WhittleNN

/// Synthetic data for any input shape: the right kind per shape, the digits unchanged,
/// deterministic, and learnable by a small net in one or two epochs.
final class SyntheticDataTests: XCTestCase {
    func testKindFollowsTheShape() {
        XCTAssertEqual(SyntheticData.kind(shape: [1, 28, 28], classes: 10), .digits)
        XCTAssertEqual(SyntheticData.kind(shape: [784], classes: 10), .digits)
        XCTAssertEqual(SyntheticData.kind(shape: [1, 28, 28], classes: 5), .shapes)
        XCTAssertEqual(SyntheticData.kind(shape: [3, 32, 32], classes: 10), .shapes)
        XCTAssertEqual(SyntheticData.kind(shape: [1, 49, 10], classes: 12), .tones)
        XCTAssertEqual(SyntheticData.kind(shape: [49, 10], classes: 12), .tones)
        XCTAssertEqual(SyntheticData.kind(shape: [640], classes: 10), .clusters)
        XCTAssertEqual(SyntheticData.kind(shape: [3, 4, 4], classes: 2), .clusters)
    }

    /// The digits of a [1, 28, 28] spec with 10 outputs are the ones before issue 14: pinned by
    /// an FNV-1a hash of the first 300 samples' pixels and labels (seed 2026), taken before.
    func testDigitsAreByteForByteTheOldOnes() throws {
        let digits = try SyntheticData.generate(shape: [1, 28, 28], classes: 10, count: 300, seed: 2026)
        guard case .bytes(let pixels) = digits.values else { return XCTFail() }
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for x in pixels { h = (h ^ UInt64(x)) &* 0x100_0000_01B3 }
        for l in digits.labels { h = (h ^ UInt64(l)) &* 0x100_0000_01B3 }
        XCTAssertEqual(String(h, radix: 16), "2ce1b8f158cb10f5")
    }

    func testDeterministicPrefixStableAndAllClassesPresent() throws {
        for shape in [[3, 32, 32], [1, 49, 10], [20]] {
            let a = try SyntheticData.generate(shape: shape, classes: 7, count: 200, seed: 9)
            let b = try SyntheticData.generate(shape: shape, classes: 7, count: 50, seed: 9)
            let c = try SyntheticData.generate(shape: shape, classes: 7, count: 50, seed: 10)
            guard case .bytes(let pa) = a.values, case .bytes(let pb) = b.values, case .bytes(let pc) = c.values else { return XCTFail() }
            XCTAssertEqual(a.sampleShape, shape)
            XCTAssertEqual(Array(pa.prefix(pb.count)), pb, "\(shape)")
            XCTAssertNotEqual(pb, pc, "\(shape)")
            XCTAssertEqual(Set(a.labels), Set(0..<7), "\(shape)")
        }
        XCTAssertThrowsError(try SyntheticData.generate(shape: [3, 1024, 1024], classes: 2, count: 1000, seed: 1)) {
            XCTAssertTrue("\($0)".contains("exceeds the limit of 1,073,741,824 synthetic elements"), "\($0)")
        }
    }

    /// Trains `layers` on synthetic data of `input` and returns the test accuracy.
    private func accuracy(input: [Int], layers: String, classes: Int, train: Int, epochs: Int, lr: Double) throws -> Double {
        let spec = try Fixtures.spec("""
        {"name": "s", "input": \(input), "layers": [\(layers), {"type": "linear", "out_features": \(classes)}],
         "data": {"synthetic": {"train": \(train), "test": 400, "seed": 3}},
         "train": {"epochs": \(epochs), "batch_size": 32, "seed": 1, "optimizer": {"type": "adam", "lr": \(lr)}}}
        """)
        let source = DataSource.resolve(spec, override: nil)
        let graph = try spec.buildGraph()
        _ = try Trainer(graph: graph, recipe: spec.train).fit(train: try source.load(.train, spec: spec), test: nil)
        return Evaluator.evaluate(graph, on: try source.load(.test, spec: spec)).accuracy
    }

    func testColouredShapesAreLearnable() throws {
        let a = try accuracy(input: [3, 32, 32], layers: """
            {"type": "conv2d", "out_channels": 8, "kernel": 3, "padding": 1}, {"type": "relu"}, {"type": "maxpool2d", "kernel": 2},
            {"type": "conv2d", "out_channels": 16, "kernel": 3, "padding": 1}, {"type": "relu"}, {"type": "maxpool2d", "kernel": 2},
            {"type": "conv2d", "out_channels": 16, "kernel": 3, "padding": 1}, {"type": "relu"}, {"type": "maxpool2d", "kernel": 2},
            {"type": "flatten"}
            """, classes: 10, train: 3000, epochs: 2, lr: 0.005)
        XCTAssertGreaterThan(a, 0.4, "10 classes: chance is 0.1 (0.69 when written)")
    }

    func testMovingTonesAreLearnable() throws {
        let a = try accuracy(input: [1, 49, 10], layers: """
            {"type": "flatten"}, {"type": "linear", "out_features": 32}, {"type": "relu"}
            """, classes: 12, train: 2000, epochs: 2, lr: 0.003)
        XCTAssertGreaterThan(a, 0.5, "12 classes: chance is 0.08 (0.99 when written)")
    }

    func testClustersAreLearnable() throws {
        let a = try accuracy(input: [16], layers: #"{"type": "linear", "out_features": 16}, {"type": "relu"}"#,
                             classes: 5, train: 1000, epochs: 2, lr: 0.01)
        XCTAssertGreaterThan(a, 0.8, "5 classes: chance is 0.2")
    }
}
