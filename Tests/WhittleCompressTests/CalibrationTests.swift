import XCTest
import Foundation
import WhittleCompress
import WhittleNN

final class CalibrationTests: XCTestCase {
    func testMinMaxObserverSeesEveryValue() {
        var o = MinMaxObserver()
        XCTAssertNil(o.range)
        [3, -2, 7.5, 0].withUnsafeBufferPointer { o.observe($0) }
        [1, -4].withUnsafeBufferPointer { o.observe($0) }
        XCTAssertEqual(o.range, ObservedRange(min: -4, max: 7.5))
    }

    func testCalibrationObservesInputAndEveryNode() throws {
        let spec = try Spec.parse(Data(#"{"name": "m", "input": [1, 4, 4], "layers": [{"type": "flatten"}, {"name": "fc", "type": "linear", "out_features": 3}, {"name": "r", "type": "relu"}]}"#.utf8), file: "m.json")
        let g = try spec.buildGraph()
        let pixels = (0..<(10 * 16)).map { Float($0 % 256) }
        let set = Dataset(name: "t", sampleShape: [1, 4, 4], values: .floats(pixels), labels: [Int32](repeating: 0, count: 10), classes: 3)
        let result = try Calibration.run(g, on: set, batchSize: 3)
        XCTAssertEqual(result.samples, 10)
        XCTAssertEqual(result.input.min, set.normalization.apply(0))
        XCTAssertEqual(result.input.max, set.normalization.apply(159))
        XCTAssertEqual(Set(result.outputs.keys), ["flatten0", "fc", "r"])
        XCTAssertGreaterThanOrEqual(result.outputs["r"]!.min, 0)
    }
}
