import Dispatch
import Foundation
import WhittleCodegen
import WhittleIR
import WhittleVerify
import XCTest

/// Random small graphs, each emitted, built with gcc and run on random and extreme inputs:
/// every output byte must equal the reference interpreter's.
final class DifferentialTests: XCTestCase {
    static let graphCount = 200
    static let vectorsPerGraph = 6 // all −128, all 127, all at the zero point, then random

    func testRandomGraphsAreBitExact() throws {
        let scratch = try makeScratchFolder("differential")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let graphs = (0..<Self.graphCount).map { SampleGraphs.random(seed: UInt64(1000 + $0)) }
        assertCoverage(graphs)

        let lock = NSLock()
        var failures: [String] = []
        var checkedBytes = 0
        // Two workers: the machine has two cores, and gcc dominates.
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for i in stride(from: worker, to: graphs.count, by: 2) {
                let folder = scratch.appendingPathComponent("graph\(i)")
                do {
                    let options = EmitOptions(target: hostTarget, modelName: "random-\(i)", vectorCount: Self.vectorsPerGraph, seed: UInt64(i))
                    try Emitter.emit(graphs[i], options: options, resources: resources, to: folder)
                    // A sanitizer build for every twentieth graph keeps the run short.
                    let report = try FolderVerifier.verify(folder: folder, resources: resources,
                                                           options: VerifyOptions(sanitize: i % 20 == 0, sanitizerVectors: Self.vectorsPerGraph))
                    lock.lock()
                    checkedBytes += report.comparison.vectors * graphs[i].outputTensor.byteCount
                    if !report.passed {
                        failures.append("graph \(i): \(report.comparison.firstMismatch.map(String.init(describing:)) ?? report.sanitizer?.report ?? "")")
                    }
                    lock.unlock()
                } catch {
                    lock.lock()
                    failures.append("graph \(i): \(error)")
                    lock.unlock()
                }
            }
        }
        XCTAssertEqual(failures, [], "kept in \(scratch.path) only while the test runs")
        XCTAssertGreaterThan(checkedBytes, Self.graphCount * Self.vectorsPerGraph)
    }

    /// The draw must reach every kernel and the edges of the arithmetic, or the test proves little.
    private func assertCoverage(_ graphs: [QGraph]) {
        var kernels = Set<String>(), shifts = Set<Int32>()
        var zeroMultipliers = 0, stridedPadded = 0, fullyConnectedAfterFlatten = 0, grouped = 0, chains = 0
        for graph in graphs {
            if graph.nodes.count >= 3 { chains += 1 }
            for (i, node) in graph.nodes.enumerated() {
                switch node.op {
                case .conv2d(let conv):
                    let depthwise = conv.groups > 1 && conv.groups == graph.tensors[node.inputs[0]].shape.channels
                    kernels.insert(depthwise ? "dwconv2d_s8" : "conv2d_s8")
                    if conv.groups > 1 && !depthwise { grouped += 1 }
                    shifts.formUnion(conv.requantization.map(\.shift))
                    zeroMultipliers += conv.requantization.filter { $0.multiplier == 0 }.count
                    if conv.window.strideHeight > 1 && conv.window.padTop != conv.window.padBottom { stridedPadded += 1 }
                case .fullyConnected(let fc):
                    kernels.insert("fc_s8")
                    shifts.formUnion(fc.requantization.map(\.shift))
                    zeroMultipliers += fc.requantization.filter { $0.multiplier == 0 }.count
                    if i > 0, graph.nodes[i - 1].op == .reshape { fullyConnectedAfterFlatten += 1 }
                case .maxPool: kernels.insert("maxpool_s8")
                case .averagePool: kernels.insert("avgpool_s8")
                case .reshape: break
                }
            }
        }
        XCTAssertEqual(kernels, ["conv2d_s8", "dwconv2d_s8", "fc_s8", "maxpool_s8", "avgpool_s8"])
        XCTAssertTrue(shifts.contains { $0 > 0 }, "a multiplier above 1")
        XCTAssertTrue(shifts.contains { $0 < -20 }, "a tiny multiplier")
        XCTAssertGreaterThan(zeroMultipliers, 0)
        XCTAssertGreaterThan(stridedPadded, 5)
        XCTAssertGreaterThan(fullyConnectedAfterFlatten, 5)
        XCTAssertGreaterThan(grouped, 5)
        XCTAssertGreaterThan(chains, 50)
    }
}
