import Foundation
import WhittleCodegen
import WhittleIR
import WhittleVerify
import XCTest

/// The kernel cost tables: the fit recovers known costs, never goes negative, and a measured
/// table of a real target ranks formats as its counted instructions do.
final class KernelCostTests: XCTestCase {
    func testFitRecoversKnownCostsAndStaysNonNegative() {
        var rng = SeededGenerator(seed: 3)
        let rows = (0..<30).map { _ in [Double(Int.random(in: 100...50_000, using: &rng)), Double(Int.random(in: 10...2_000, using: &rng)),
                                         Double(Int.random(in: 0...3_000, using: &rng)), 1] }
        let truth = [2.5, 21.0, 7.0, 140.0]
        let targets = rows.map { zip($0, truth).map(*).reduce(0, +) }
        for (fitted, expected) in zip(CostFit.nonNegative(rows: rows, targets: targets), truth) {
            XCTAssertEqual(fitted, expected, accuracy: 1e-6 * max(1, expected))
        }
        // Data that wants a negative per-call cost gets 0 there and the rest refitted.
        let skewed = rows.map { zip($0, [3.0, 20, 0, 0]).map(*).reduce(0, +) - 500 }
        let fit = CostFit.nonNegative(rows: rows, targets: skewed)
        XCTAssertTrue(fit.allSatisfy { $0 >= 0 }, "\(fit)")
        XCTAssertEqual(fit[3], 0)
    }

    /// Every target descriptor's table names known kernels with sane costs (the loader checks it),
    /// and the committed tables of the bare-metal targets cover every weight kernel they run.
    func testCommittedTablesCoverTheTargetsKernels() throws {
        for name in TargetDescriptor.knownTargets(in: resources) {
            let target = try TargetDescriptor.load(named: name, from: resources)
            guard let table = target.kernelCosts else { continue }
            let profiles = SparseFormatChoice.Objective.allCases.map { KernelProfile(target: target, objective: $0) }
            let runs = Set(profiles.flatMap { profile in KernelRegistry.genericWeightKernels.map(profile.kernel) })
            for kernel in runs { XCTAssertNotNil(table[kernel.name], "\(name): \(kernel.name)") }
            XCTAssertTrue(table.values.allSatisfy { $0.perMAC > 0 }, name)
        }
    }
}

/// The descriptor writer keeps the descriptor's lines and replaces only its cost table.
final class KernelCostTableTextTests: XCTestCase {
    func testTableIsAppendedThenReplaced() throws {
        let original = try String(contentsOf: resources.targets.appendingPathComponent("cortex-m0.json"), encoding: .utf8)
        var bare = original
        if let start = bare.range(of: ",\n  \"kernelCosts\": {") {
            bare = String(bare[..<start.lowerBound]) + "\n}\n"
        }
        let first = try KernelCostTableText.updating(bare, with: ["fc_s8": KernelCost(perMAC: 2.5, perOutput: 30, perCall: 12.345)])
        XCTAssertTrue(first.hasPrefix(String(bare.dropLast(3))), first)
        XCTAssertTrue(first.contains("\"fc_s8\": {\"mac\": 2.5, \"output\": 30, \"decode\": 0, \"call\": 12.35}"), first)
        let second = try KernelCostTableText.updating(first, with: ["conv2d_s8": KernelCost(perMAC: 3, perBorderMAC: 9, perOutput: 20)])
        XCTAssertFalse(second.contains("fc_s8\":"), second)
        XCTAssertTrue(second.contains("\"conv2d_s8\": {\"mac\": 3, \"border_mac\": 9, \"output\": 20, \"decode\": 0, \"call\": 0}"), second)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(second.utf8)) as? [String: Any])
        XCTAssertEqual((object["kernelCosts"] as? [String: Any])?.keys.sorted(), ["conv2d_s8"])
        XCTAssertEqual(object["name"] as? String, "cortex-m0")
    }
}
