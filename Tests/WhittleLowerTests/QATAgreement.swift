import XCTest
import WhittleCompress
import WhittleIR
import WhittleLower
import WhittleNN

extension XCTestCase {
    /// Trains `g` quantization-aware (1 epoch, lr 0.005, batch 32, 64 calibration images),
    /// lowers it, and checks that the fake-quantized forward pass predicts the integer
    /// reference: every output within `steps` output quantization steps, more than
    /// `exactShare` of them on exactly the same code. Returns the QAT model for further checks.
    @discardableResult
    func assertQATPredictsTheIntegerReference(_ g: Graph, data: Dataset, steps: Double, exactShare: Double,
                                              file: StaticString = #filePath, line: UInt = #line) throws -> QATModel {
        var settings = QuantizeSpec()
        settings.calibration = 64
        var qat = QATSpec(epochs: 1, learningRate: 0.005)
        qat.train.batchSize = 32
        let model = try QuantizationAwareTraining.run(g, settings: settings, qat: qat, train: data)
        let ranges = model.ranges
        let validation = ValidationSetBuilder.make(model.graph, data: data, inputQuant: ActivationQuantization.params(for: ranges.input))
        let q = try PostTrainingQuantization.lower(g, calibration: ranges, inputDescription: "t", validation: validation)
        let out = try ReferenceInterpreter(graph: q).run(batch: validation.inputs, count: data.count)
        let quant = q.outputTensor.quant
        var exact = 0
        for i in 0..<out.count {
            let diff = abs(quant.dequantize(out[i]) - Double(validation.floatLogits![i]))
            XCTAssertLessThanOrEqual(diff, quant.scale * (steps + 0.01), "output \(i) differs by more than \(steps) steps", file: file, line: line)
            if diff < quant.scale * 0.01 { exact += 1 }
        }
        XCTAssertGreaterThan(Double(exact), Double(out.count) * exactShare, "most outputs should land on exactly the same code",
                             file: file, line: line)
        return model
    }
}
