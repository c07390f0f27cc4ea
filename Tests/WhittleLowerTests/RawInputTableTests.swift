import XCTest
import Foundation
import WhittleIR
import WhittleLower
import WhittleNN
import WhittleTensor

/// The verification vectors of 8-bit data are made by the raw-input table, the function firmware
/// gets as `model_quantize_input`: each input byte is table[raw], channels-last.
final class RawInputTableTests: XCTestCase {
    private func assertVectorsComeFromTheTable(_ data: Dataset, file: StaticString = #filePath, line: UInt = #line) throws {
        let spec = #"{"name": "r", "input": [1, 28, 28], "layers": [{"type": "flatten"}, {"type": "linear", "out_features": 10}]}"#
        let graph = try Spec.parse(Data(spec.utf8), file: "r.json").buildGraph(seed: 1)
        let quant = QuantParams(scale: 2.0 / 255, zeroPoint: -1) // LeNet's: every pixel a rounding tie
        let table = RawInputTable.make(normalization: data.normalization, inputQuant: quant)
        XCTAssertEqual(table.count, 256, file: file, line: line)
        XCTAssertEqual(table, table.sorted(), "monotone", file: file, line: line)
        let set = ValidationSetBuilder.make(graph, data: data, inputQuant: quant)
        guard case .bytes(let raw) = data.values else { return XCTFail("8-bit data expected", file: file, line: line) }
        XCTAssertEqual(set.inputs, raw.map { table[Int($0)] }, file: file, line: line) // one channel: CHW is HWC
        // The float path gives the same bytes: the table is that path, done once per byte value.
        let (x, _) = data.batch(0..<min(data.count, 50))
        XCTAssertEqual(Array(set.inputs.prefix(x.count)), x.storage.map { quant.quantize(Double($0)) }, file: file, line: line)
    }

    func testSyntheticDigitsVectorsComeFromTheTable() throws {
        try assertVectorsComeFromTheTable(SyntheticDigits.generate(count: 200, seed: 4))
    }

    func testFashionMNISTVectorsComeFromTheTable() throws {
        let folder = "/usr/share/datasets/fashion-mnist"
        try XCTSkipUnless(FileManager.default.fileExists(atPath: folder), "apt-get install dataset-fashion-mnist")
        try assertVectorsComeFromTheTable(try IDXDataset.load(directory: folder, split: .test))
    }
}
