import Foundation
import WhittleCodegen
import WhittleIR
import WhittleVerify
import XCTest

/// Random residual graphs (`SampleGraphs.randomResidual`): adds of unequal input scales, tensors
/// read by two nodes (or twice by one), skips that live across a branch of several nodes. Each is
/// emitted, built and run; every output byte must equal the reference interpreter's, on the host
/// and, where the toolchains are installed, on Cortex-M4 (DSP kernels) and Cortex-M0 (split
/// multiplies).
final class ResidualGraphTests: XCTestCase {
    static let hostGraphs = ProcessInfo.processInfo.environment["WHITTLE_DIFF_GRAPHS"].flatMap { Int($0) }.map { max($0, 1) } ?? 80
    static let targetGraphs = 10
    static let vectors = 6

    private static func graphs(_ count: Int) -> [QGraph] {
        (0..<count).map { SampleGraphs.randomResidual(seed: UInt64(7000 + $0)) }
    }

    func testRandomResidualGraphsAreBitExactOnTheHost() throws {
        let graphs = Self.graphs(Self.hostGraphs)
        if graphs.count >= 120 { assertCoverage(Array(graphs.prefix(120))) }
        let (failures, checkedBytes) = try HostDifferentialRun(label: "residual", vectors: Self.vectors, sanitizeEvery: 10).run(graphs)
        XCTAssertGreaterThan(checkedBytes, graphs.count * Self.vectors)
        XCTAssertEqual(failures, [])
    }

    func testRandomResidualGraphsAreBitExactOnCortexM4AndM0() throws {
        XCTAssertEqual(try verifyOnTargets(Self.graphs(Self.targetGraphs), targetNames: ["cortex-m4", "cortex-m0"], label: "residual", vectors: Self.vectors), [])
    }

    /// What the draw must contain for the test to prove the graph side.
    private func assertCoverage(_ graphs: [QGraph]) {
        var unequalScales = 0, sameTensorTwice = 0, sharedTensors = 0, longSkips = 0, clamped = 0, softmaxIntoAdd = 0
        for graph in graphs {
            let softmaxOutputs = Set(graph.nodes.filter { if case .softmax = $0.op { return true } else { return false } }.map(\.output))
            var readers = [Int](repeating: 0, count: graph.tensors.count)
            for node in graph.nodes { Set(node.inputs).forEach { readers[$0] += 1 } }
            sharedTensors += readers.filter { $0 >= 2 }.count
            let producer = graph.producers
            for (index, node) in graph.nodes.enumerated() {
                guard case .add(let add) = node.op else { continue }
                let (a, b) = (graph.tensors[node.inputs[0]], graph.tensors[node.inputs[1]])
                if a.quant.scale != b.quant.scale { unequalScales += 1 }
                if node.inputs[0] == node.inputs[1] { sameTensorTwice += 1 }
                if add.clamp != .int8 { clamped += 1 }
                if node.inputs.contains(where: softmaxOutputs.contains) { softmaxIntoAdd += 1 }
                // The older input was written three or more nodes before the add reads it.
                let born = node.inputs.map { producer[$0] ?? -1 }.min()!
                if index - born >= 3 { longSkips += 1 }
            }
        }
        XCTAssertGreaterThan(unequalScales, 50)
        XCTAssertGreaterThan(sameTensorTwice, 5)
        XCTAssertGreaterThan(sharedTensors, 50)
        XCTAssertGreaterThan(longSkips, 20)
        XCTAssertGreaterThan(clamped, 20)
        XCTAssertGreaterThan(softmaxIntoAdd, 5, "a softmax inside a residual branch (its 1/256 output joined to another scale)")
    }
}
