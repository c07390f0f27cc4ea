import XCTest
import WhittleIR
import WhittleVerify

/// The reconstruction error per input is the mean of (real output − real input)² over its
/// elements; the harness's printed errors must equal it; the AUC scores non-normal classes.
final class ReconstructionReportTests: XCTestCase {
    func testErrorsAUCAndTheHarnessCheck() {
        let quant = QuantParams(scale: 0.5, zeroPoint: 1)
        // Inputs (real 0, 5) and (real 1, 1); C outputs (real 1, 5) and (real 1, 3).
        let inputs: [Int8] = [1, 11, 3, 3], c: [Int8] = [3, 11, 3, 7]
        func report(_ printed: String?, labels: [Int32]? = [0, 2]) -> ReconstructionReport {
            ReconstructionReport(c: c, inputs: inputs, floatOutputs: [0, 5, 1, 1.5], labels: labels,
                                 task: ReconstructionTask(normalClasses: [0]), size: 2, input: quant, output: quant, printed: printed)
        }
        let r = report("reconstruction_error 0 0.5\nreconstruction_error 1 2\n")
        XCTAssertEqual(r.cMeanError, (0.5 + 2) / 2)
        XCTAssertEqual(r.floatMeanError, (0 + 0.125) / 2)
        XCTAssertEqual(r.cAUC, 1, "the anomaly (class 2) has the larger error")
        XCTAssertEqual(r.harnessAgrees, true)
        XCTAssertEqual(report("reconstruction_error 0 0.5\nreconstruction_error 1 2.01\n").harnessAgrees, false)
        XCTAssertEqual(report("reconstruction_error 0 0.5\n").harnessAgrees, false, "a missing line fails")
        XCTAssertNil(report(nil).harnessAgrees)
        XCTAssertNil(report(nil, labels: nil).cAUC)
    }
}
