import XCTest
import WhittleCompress
import WhittleNN
import WhittleTensor

final class ScheduleAndSensitivityTests: XCTestCase {
    func testCubicScheduleValues() {
        let s = CubicSchedule(initial: 0, steps: 4)
        let values = (1...4).map { s.sparsity(event: $0, final: 0.9) }
        for (v, expected) in zip(values, [0.5203125, 0.7875, 0.8859375, 0.9]) { XCTAssertEqual(v, expected, accuracy: 1e-12) }
        XCTAssertEqual((1...4).map { s.batch(event: $0, span: 100) }, [0, 25, 50, 75])
        let fromHalf = CubicSchedule(initial: 0.5, steps: 2)
        XCTAssertEqual(fromHalf.sparsity(event: 1, final: 0.9), 0.9 - 0.4 / 8, accuracy: 1e-12)
        XCTAssertEqual(fromHalf.sparsity(event: 2, final: 0.9), 0.9)
    }

    func curve(_ name: String, _ weights: Int, _ accuracies: [Double]) -> SensitivityCurve {
        SensitivityCurve(layer: name, weights: weights, points: accuracies.enumerated().map { .init(sparsity: Double($0) * 0.25, accuracy: $1) })
    }

    func testSensitivityChoiceMeetsTheTargetWithTheRobustLayers() throws {
        // "big" barely cares until 75 %; "small" loses accuracy at once.
        let curves = [curve("big", 1000, [0.9, 0.9, 0.895, 0.89, 0.5]), curve("small", 100, [0.9, 0.7, 0.5, 0.3, 0.1])]
        let ratios = try SensitivityScan.choose(curves, target: 0.5)
        XCTAssertEqual(ratios["big"]! * 1000 + ratios["small"]! * 100, 550, accuracy: 1e-6, "meets the target exactly")
        XCTAssertEqual(ratios["small"], 0, "the sensitive layer is spared")
        XCTAssertEqual(ratios["big"]!, 0.55, accuracy: 1e-9)
        // When the cheapest combination overshoots, the costliest last step gives back the excess.
        let r2 = try SensitivityScan.choose(curves, target: 0.7)
        XCTAssertEqual(r2["big"]! * 1000 + r2["small"]! * 100, 770, accuracy: 1e-6)
        XCTAssertEqual(r2["big"]!, 0.75, accuracy: 1e-9)
        XCTAssertThrowsError(try SensitivityScan.choose([curve("a", 10, [0.9, 0.8, 0.7])], target: 0.6)) { error in
            XCTAssertTrue("\(error)".contains("out of reach"), "\(error)")
        }
    }

    func testScanLeavesTheModelAsItWas() throws {
        let g = try PruningFixtures.linear([1, -5, 2, 0.5, -3, 4, 0.1, 6], out: 2)
        let before = g.namedParameters.map { $0.parameter.value }
        var evaluations = 0
        let curves = try SensitivityScan.run(g, layers: ["fc"], sparsities: [0.25, 0.5, 0.875, 0.99], granularity: .element, rootMean: false,
                                             masks: [:], scores: { try PruneScores.compute(.l1, layers: PrunableLayer.all(in: g)) },
                                             evaluate: { graph in
                                                 evaluations += 1
                                                 return Double(graph.namedParameters[0].parameter.value.zeroCount) / 8 })
        XCTAssertEqual(g.namedParameters.map { $0.parameter.value }, before)
        XCTAssertEqual(curves[0].points.map(\.sparsity), [0, 0.25, 0.5, 0.875], "0.99 would remove every weight: not scanned")
        XCTAssertEqual(curves[0].points.map(\.accuracy), [0, 0.25, 0.5, 0.875])
        XCTAssertEqual(evaluations, 4)
    }
}
