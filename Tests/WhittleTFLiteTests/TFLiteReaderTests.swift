import Foundation
import WhittleTFLite
import XCTest

/// The flatbuffer reader on MLPerf Tiny's four int8 reference models (Apache-2.0, copied with
/// their LICENSE into Fixtures/): operators, shapes, quantization and options as the models'
/// README states them, and one-line errors for corrupt files.
final class TFLiteReaderTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/mlperf-tiny")

    private func model(_ name: String) throws -> TFLiteModel {
        try TFLiteReader.read(from: Self.fixtures.appendingPathComponent(name))
    }

    private func histogram(_ m: TFLiteModel) -> [String: Int] {
        Dictionary(m.operators.map { ($0.kind.description, 1) }, uniquingKeysWith: +)
    }

    func testKeywordSpotting() throws {
        let m = try model("kws_ref_model.tflite")
        XCTAssertEqual(Set(histogram(m).keys), ["CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX"])
        let input = m.tensors[m.inputs[0]]
        XCTAssertEqual(input.shape, [1, 49, 10, 1])
        XCTAssertEqual(input.type, .int8)
        XCTAssertEqual(Double(try XCTUnwrap(input.quantization).scales[0]), 0.5847, accuracy: 1e-4)
        XCTAssertEqual(input.quantization?.zeroPoints, [83])
        // The first conv: 10x4, stride 2, SAME; int8 weights per output channel, int32 bias.
        let conv = try XCTUnwrap(m.operators.first { $0.kind == .conv2D })
        guard case .conv(let padding, let strideH, let strideW, 1, 1, _) = conv.options else { return XCTFail("\(conv.options)") }
        XCTAssertEqual(padding, .same)
        XCTAssertEqual([strideH, strideW], [2, 2])
        let weights = m.tensors[conv.inputs[1]], bias = m.tensors[conv.inputs[2]]
        XCTAssertEqual(weights.shape[1...2], [10, 4])
        XCTAssertEqual(weights.type, .int8)
        XCTAssertEqual(weights.data.count, weights.shape.reduce(1, *))
        XCTAssertEqual(weights.quantization?.scales.count, weights.shape[0], "per output channel")
        XCTAssertEqual(bias.type, .int32)
        XCTAssertEqual(bias.data.count, 4 * weights.shape[0])
        XCTAssertEqual(m.tensors[m.outputs[0]].shape, [1, 12])
    }

    func testVisualWakeWordsResNetAndAutoencoder() throws {
        let vww = try model("vww_96_int8.tflite")
        XCTAssertEqual(vww.tensors[vww.inputs[0]].shape, [1, 96, 96, 3])
        XCTAssertTrue(vww.operators.contains {
            if case .depthwiseConv(_, 2, 2, _, _, _, _) = $0.options { return true }
            return false
        }, "stride-2 depthwise convs")

        let resnet = try model("pretrainedResnet_quant.tflite")
        XCTAssertEqual(resnet.tensors[resnet.inputs[0]].shape, [1, 32, 32, 3])
        let adds = resnet.operators.filter { $0.kind == .add }
        XCTAssertGreaterThan(adds.count, 1)
        XCTAssertTrue(adds.allSatisfy { $0.inputs.count == 2 })
        XCTAssertTrue(adds.contains { op in
            let (a, b) = (resnet.tensors[op.inputs[0]].quantization!, resnet.tensors[op.inputs[1]].quantization!)
            return a.scales != b.scales
        }, "an add of two input scales")

        let ad = try model("ad01_int8.tflite")
        XCTAssertEqual(Set(histogram(ad).keys), ["FULLY_CONNECTED"])
        XCTAssertEqual(ad.operators.count, 10)
        XCTAssertEqual(ad.tensors[ad.inputs[0]].shape, [1, 640])
        // TFLite's fully connected layers are quantized per tensor.
        XCTAssertTrue(ad.operators.allSatisfy { ad.tensors[$0.inputs[1]].quantization?.scales.count == 1 })
    }

    /// Not a model, truncated, or with an offset pointing outside: one line, no trap.
    func testCorruptFilesAreOneLineErrors() throws {
        let good = [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent("kws_ref_model.tflite")))
        var cases: [[UInt8]] = [Array("PK\u{3}\u{4}zip".utf8), Array(good.prefix(64)), Array(good.prefix(good.count / 2))]
        var wild = good
        wild[0] = 0xFF; wild[1] = 0xFF; wild[2] = 0xFF; wild[3] = 0x7F
        cases.append(wild)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var mutated = good
            for _ in 0..<8 { mutated[Int.random(in: 8..<mutated.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            cases.append(mutated)
        }
        var rejected = 0
        for bytes in cases {
            do {
                _ = try TFLiteReader.decode(bytes)
            } catch let error as FlatBufferError {
                rejected += 1
                XCTAssertFalse(error.description.contains("\n"), error.description)
            }
        }
        XCTAssertGreaterThanOrEqual(rejected, 4, "the non-model, the truncated files and the wild root offset")
    }
}

/// `make test`'s share of fuzzing the reader: every input `make fuzz` saved in
/// Tests/Fuzz/crashes/tflite goes through the fuzz target's read path (read, then import). A
/// trap ends the run.
final class TFLiteReaderReplayTests: XCTestCase {
    func testSavedInputsAreRejectedCleanly() throws {
        let folder = TFLiteReaderTests.fixtures.appendingPathComponent("../../../Fuzz/crashes/tflite").standardizedFileURL
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names.sorted() where !name.hasPrefix(".") {
            guard let model = try? TFLiteReader.decode([UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))) else { continue }
            _ = try? TFLiteImporter.importModel(model, modelName: name)
        }
    }
}
