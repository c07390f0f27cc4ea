import XCTest
import Foundation
import WhittleCompress
import WhittleLower
import WhittleNN
import WhittleTensor

/// Quantization that runs but loses the model is a warning naming the layer and the cause.
final class QuantizationWarningsTests: XCTestCase {
    private func model() throws -> Graph {
        let spec = #"{"name": "w", "input": [1, 28, 28], "layers": [{"type": "flatten"}, {"name": "fc1", "type": "linear", "out_features": 16}, {"type": "relu"}, {"name": "fc2", "type": "linear", "out_features": 10}]}"#
        return try Spec.parse(Data(spec.utf8), file: "w.json").buildGraph(seed: 3)
    }

    private func warnings(_ graph: Graph, calibrateOn calibration: Dataset, test: Dataset, perChannel: Bool = true) throws -> [String] {
        let ranges = try Calibration.run(graph, on: calibration)
        return try QuantizationWarnings.check(graph, calibration: ranges, test: test, perChannelWeights: perChannel)
    }

    func testRepresentativeCalibrationAndOrdinaryWeightsWarnNothing() throws {
        let data = SyntheticDigits.generate(count: 300, seed: 1)
        XCTAssertEqual(try warnings(try model(), calibrateOn: data.prefix(100), test: data), [])
    }

    func testCalibrationOnOneValueWarns() throws {
        let constant = Dataset(name: "flat", sampleShape: [1, 28, 28], values: .bytes([UInt8](repeating: 128, count: 50 * 784)),
                               labels: [Int32](repeating: 0, count: 50), classes: 10)
        let w = try warnings(try model(), calibrateOn: constant, test: SyntheticDigits.generate(count: 100, seed: 2))
        XCTAssertEqual(w.count, 1)
        XCTAssertTrue(w[0].hasPrefix("calibration: every input value of the 50 calibration samples is 0.0039"), w[0])
    }

    func testCalibrationThatClipsTheTestDataWarns() throws {
        let dim = Dataset(name: "dim", sampleShape: [1, 28, 28], values: .bytes((0..<(50 * 784)).map { UInt8($0 % 40) }),
                          labels: [Int32](repeating: 0, count: 50), classes: 10)
        let w = try warnings(try model(), calibrateOn: dim, test: SyntheticDigits.generate(count: 100, seed: 2))
        XCTAssertEqual(w.count, 1)
        XCTAssertTrue(w[0].contains("of the test inputs fall outside the calibrated input range"), w[0])
    }

    func testOneHugeWeightWarnsNamingTheLayerAndChannel() throws {
        let graph = try model()
        let fc2 = try XCTUnwrap(graph.namedParameters.first { $0.name == "fc2.weight" }?.parameter)
        fc2.value.storage[16 * 7 + 3] = 1e30
        let data = SyntheticDigits.generate(count: 100, seed: 1)
        let w = try warnings(graph, calibrateOn: data, test: data)
        XCTAssertEqual(w.count, 1)
        XCTAssertTrue(w[0].hasPrefix("layer 'fc2': in 1 of 10 channels one weight sets the scale (worst: channel 7, 1e+30"), w[0])
        let perTensor = try warnings(graph, calibrateOn: data, test: data, perChannel: false)
        XCTAssertTrue(perTensor.first?.hasPrefix("layer 'fc2': one weight sets the scale of the whole tensor (1e+30") ?? false, "\(perTensor)")
    }
}
