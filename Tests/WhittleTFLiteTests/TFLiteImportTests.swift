import Foundation
import WhittleIR
import WhittleTFLite
import XCTest

/// The importer on MLPerf Tiny's reference models: the graph it builds, the reference
/// interpreter on it against the outputs of TFLite's reference kernels (Fixtures/…/vectors, 100
/// inputs each), TFLite's SAME padding, and one-line errors for what it does not import.
final class TFLiteImportTests: XCTestCase {
    static let fixtures = TFLiteReaderTests.fixtures

    static func model(_ name: String) throws -> TFLiteModel {
        try TFLiteReader.read(from: fixtures.appendingPathComponent("\(name).tflite"))
    }

    /// The shared vectors of `name`: inputs and TFLite's reference outputs.
    static func vectors(_ name: String) throws -> (inputs: [Int8], expected: [Int8]) {
        func bytes(_ file: String) throws -> [Int8] {
            [UInt8](try Data(contentsOf: fixtures.appendingPathComponent("vectors/\(name)/\(file)"))).map { Int8(bitPattern: $0) }
        }
        return (try bytes("inputs.bin"), try bytes("expected.bin"))
    }

    private func importError(_ model: TFLiteModel) -> String {
        do {
            _ = try TFLiteImporter.importModel(model, modelName: "m.tflite")
            return "imported"
        } catch {
            return "\(error)"
        }
    }

    func testAutoencoderIsTenFullyConnectedLayersRoundingOnce() throws {
        let graph = try TFLiteImporter.importModel(try Self.model("ad01_int8"), modelName: "ad01_int8.tflite").graph
        XCTAssertEqual(graph.nodes.map(\.op.kindName), Array(repeating: "fully_connected", count: 10))
        XCTAssertTrue(graph.nodes.allSatisfy { $0.op.requantizationRounding == .single })
        XCTAssertEqual(graph.inputTensor.shape, TensorShape(vector: 640))
        XCTAssertEqual(graph.inputTensor.quant.zeroPoint, 89)
        // Fused ReLU on all but the last layer: the clamp starts at the output zero point.
        guard case .fullyConnected(let first) = graph.nodes[0].op, case .fullyConnected(let last) = graph.nodes[9].op else { return XCTFail() }
        XCTAssertEqual(first.clamp.min, graph.tensors[graph.nodes[0].output].quant.zeroPoint)
        XCTAssertEqual(last.clamp, .int8)
    }

    /// The reference interpreter on the imported graph gives TFLite's reference outputs, every byte
    /// of every vector; with double rounding in the fully connected layers it would not.
    func testReferenceInterpreterMatchesTFLiteReferenceKernels() throws {
        for name in ["ad01_int8", "kws_ref_model", "pretrainedResnet_quant", "vww_96_int8"] {
            let graph = try TFLiteImporter.importModel(try Self.model(name), modelName: name).graph
            let (inputs, expected) = try Self.vectors(name)
            let count = inputs.count / graph.inputTensor.byteCount
            XCTAssertEqual(count, 100)
            let outputs = try ReferenceInterpreter(graph: graph).run(batch: inputs, count: count)
            let wrong = zip(outputs, expected).filter { $0 != $1 }.count
            XCTAssertEqual(wrong, 0, "\(name): \(wrong) of \(expected.count) output bytes differ from TFLite's reference kernels")
        }
    }

    /// The import maps each operator to one node (RESHAPE to an alias), SOFTMAX last at scale
    /// 1/256, and restates VWW's dead channels: the graph computes what the file says on them.
    func testOperatorsMapOneToOne() throws {
        for name in ["kws_ref_model", "pretrainedResnet_quant", "vww_96_int8"] {
            let model = try Self.model(name)
            let imported = try TFLiteImporter.importModel(model, modelName: name)
            XCTAssertEqual(imported.graph.nodes.count, model.operators.count, name)
            XCTAssertEqual(imported.graph.nodes.last?.op.kindName, "softmax", name)
            XCTAssertEqual(imported.graph.outputTensor.quant, QuantParams(scale: 1.0 / 256, zeroPoint: -128), name)
        }
        let vww = try TFLiteImporter.importModel(try Self.model("vww_96_int8"), modelName: "vww")
        XCTAssertTrue(vww.notes.contains { $0.hasPrefix("conv_2d_26: ") && $0.contains("all-zero weights") }, "\(vww.notes)")
        let resnet = try TFLiteImporter.importModel(try Self.model("pretrainedResnet_quant"), modelName: "resnet").graph
        XCTAssertEqual(resnet.nodes.filter { $0.op.kindName == "add" }.count, 3)
    }

    /// TFLite's SAME padding: output ceil(in / stride), the odd pixel of padding after.
    func testSamePaddingIsTFLites() {
        func pads(_ input: Int, _ kernel: Int, _ stride: Int) -> [Int] {
            let w = Window2D(tflite: .same, kernelHeight: kernel, kernelWidth: 1, strideHeight: stride, strideWidth: 1,
                             inHeight: input, inWidth: 1)
            return [w.padTop, w.padBottom, w.outputSize(height: input, width: 1)!.height]
        }
        XCTAssertEqual(pads(49, 10, 2), [4, 5, 25])  // KWS's first conv: odd total, more at the bottom
        XCTAssertEqual(pads(10, 4, 2), [1, 1, 5])
        XCTAssertEqual(pads(48, 3, 2), [0, 1, 24])   // VWW's stride-2 depthwise
        XCTAssertEqual(pads(32, 1, 2), [0, 0, 16])   // ResNet's 1x1 stride-2 shortcut: no padding
        XCTAssertEqual(pads(5, 3, 1), [1, 1, 5])
        XCTAssertEqual(pads(6, 4, 1), [1, 2, 6])     // even kernel
        let valid = Window2D(tflite: .valid, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, inHeight: 7, inWidth: 8)
        XCTAssertEqual([valid.padTop, valid.padBottom, valid.padLeft, valid.padRight], [0, 0, 0, 0])
    }

    func testWhatItDoesNotImportIsOneLineNamingTheOperator() throws {
        let ad = try Self.model("ad01_int8")
        var model = ad
        model.operators[3].kind = .other(code: 18, custom: nil)
        var error = importError(model)
        XCTAssertTrue(error.hasPrefix("operator 3 (builtin operator 18): is not supported; whittle imports ADD,"), error)
        XCTAssertTrue(error.contains("FULLY_CONNECTED") && error.contains("QUANTIZE"), error)

        // A float model: float input, float activations.
        for operatorIndex in [0, 4] {
            model = ad
            let activation = model.operators[operatorIndex].inputs[0]
            model.tensors[activation].type = .float32
            model.tensors[activation].quantization = nil
            error = importError(model)
            XCTAssertTrue(error.contains("FLOAT32 without quantization") && error.contains("int8-quantized"), error)
        }

        model = ad
        model.tensors[model.operators[2].outputs[0]].type = .int16
        error = importError(model)
        XCTAssertTrue(error.contains("INT16") && error.contains("int8 activations"), error)

        model = ad
        model.operators[0].options = .fullyConnected(activation: .tanh, keepDims: false)
        error = importError(model)
        XCTAssertTrue(error.hasPrefix("operator 0 (FULLY_CONNECTED): has the fused activation tanh"), error)
        XCTAssertFalse(error.contains("\n"))
    }

    /// What fuzzing the import found (it trapped on each): a weight scale that is not a positive
    /// number, an operator whose output is absent (-1), a zero-weight channel whose bias its
    /// multiplier shifts out of int32. Each is an error now, or an import, never a trap.
    func testHostileValuesAreErrorsNotTraps() throws {
        var model = try Self.model("kws_ref_model")
        let conv = try XCTUnwrap(model.operators.firstIndex { $0.kind == .conv2D })
        let filter = model.operators[conv].inputs[1]
        model.tensors[filter].quantization!.scales[0] = .nan
        XCTAssertTrue(importError(model).hasSuffix("have scale nan; expected finite scales > 0"), importError(model))

        model = try Self.model("ad01_int8")
        model.operators[0].outputs = [-1]
        XCTAssertEqual(importError(model), "the output of operator 0 (FULLY_CONNECTED) is absent (tensor -1)")

        model = try Self.model("kws_ref_model")
        let perFilter = model.tensors[filter].data.count / model.tensors[filter].shape[0]
        for i in 0..<perFilter { model.tensors[filter].data[i] = 0 }
        let bias = model.operators[conv].inputs[2]
        model.tensors[bias].data.replaceSubrange(0..<4, with: [0, 0, 0, 0x40]) // 2^30
        model.tensors[model.operators[conv].outputs[0]].quantization!.scales = [1e-30]
        XCTAssertFalse(importError(model).contains("\n"))
    }

    func testDilationIsRefused() throws {
        var model = try Self.model("kws_ref_model")
        let conv = try XCTUnwrap(model.operators.firstIndex { $0.kind == .conv2D })
        guard case .conv(let p, let sh, let sw, _, _, let a) = model.operators[conv].options else { return XCTFail() }
        model.operators[conv].options = .conv(padding: p, strideH: sh, strideW: sw, dilationH: 2, dilationW: 2, activation: a)
        XCTAssertEqual(importError(model), "operator \(conv) (CONV_2D): has dilation 2x2; whittle supports dilation 1")
    }
}
