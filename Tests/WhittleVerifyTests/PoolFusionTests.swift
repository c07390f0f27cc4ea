import Foundation
import WhittleCodegen
import WhittleIR
import WhittleVerify
import XCTest

/// Max pools folded into the conv before them (the fold-max-pool pass, MaxPoolFolding): bit-exact against the reference,
/// which still runs conv then pool, on padded borders, odd sizes a pool floors away, dense and
/// sparse weights; and left alone where folding would not be exact or possible.
final class PoolFusionTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws { scratch = try makeScratchFolder("fusion") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    private var rng = SeededGenerator(seed: 41)

    private func conv(_ b: inout QGraphBuilder, _ x: QGraphBuilder.TensorRef, _ name: String, outputs: Int,
                               window: Window2D, format: WeightFormat = .dense, keep: Int = 1) throws -> QGraphBuilder.TensorRef {
        let fanIn = b.shape(of: x).channels * window.kernelHeight * window.kernelWidth
        let weights = (0..<(outputs * fanIn)).map { i -> Int8 in i % keep == 0 ? Int8.random(in: -127...127, using: &rng) : 0 }
        return try b.conv2d(x, name: name, weights: weights, weightScales: (0..<outputs).map { _ in 0.004 + Double(rng.next() % 50) / 10_000 },
                            bias: (0..<outputs).map { _ in Int32.random(in: -3000...3000, using: &rng) }, outputChannels: outputs,
                            window: window, output: QuantParams(scale: 0.4, zeroPoint: -128), activation: .relu, format: format)
    }

    private func check(_ graph: QGraph, _ name: String, fusedPools: Int) throws {
        let folder = scratch.appendingPathComponent(name)
        let emission = try Emitter.emit(graph, options: EmitOptions(target: hostTarget, modelName: name, vectorCount: 24, passes: .stored),
                                        resources: resources, to: folder)
        let pools = graph.nodes.filter { if case .maxPool = $0.op { return true } else { return false } }.count
        XCTAssertEqual(emission.manifest.layers.filter { $0.kernel == "fused" }.count, fusedPools, name)
        XCTAssertEqual(emission.manifest.kernels.contains("maxpool_s8"), fusedPools < pools, name)
        let report = try FolderVerifier.verify(folder: folder, resources: resources, options: VerifyOptions(sanitizerVectors: 24))
        XCTAssertTrue(report.passed, "\(name): \(report.failure ?? "")")
    }

    /// Padded convs whose outputs a 2×2 pool floors (9×11 → 4×5) and a 3×3 pool tiles, with dense,
    /// index-sparse, N:M and bitmap weights.
    func testFoldedPoolsAreBitExact() throws {
        for (index, format) in [WeightFormat.dense, .indexSparse, .nm(n: 2, m: 4), .bitmap].enumerated() {
            var b = QGraphBuilder(inputShape: TensorShape(height: 9, width: 11, channels: 3), inputQuant: QuantParams(scale: 0.05, zeroPoint: 5),
                                  inputDescription: "test")
            var x = try conv(&b, b.input, "conv1", outputs: 4,
                             window: Window2D(kernelHeight: 3, kernelWidth: 3, padTop: 1, padLeft: 0, padBottom: 1, padRight: 2),
                             format: format, keep: format == .dense ? 1 : 2)
            x = try b.maxPool(x, name: "pool1", window: Window2D(kernel: 2, stride: 2))
            x = try conv(&b, x, "conv2", outputs: 6, window: Window2D(kernel: 3, padding: 1), format: format == .bitmap ? .indexSparse : .dense,
                         keep: format == .bitmap ? 3 : 1)
            x = try b.maxPool(x, name: "pool2", window: Window2D(kernelHeight: 2, kernelWidth: 3, strideHeight: 2, strideWidth: 3))
            x = try b.flatten(x, name: "flatten")
            try check(try b.finish(output: x), "folded\(index)", fusedPools: 2)
        }
    }

    /// Overlapping windows, a padded pool, a pool with a clamp of its own, and a conv whose
    /// output is the graph output's pool input twice removed: each pool stays a pool.
    func testPoolsThatCannotFoldStay() throws {
        var b = QGraphBuilder(inputShape: TensorShape(height: 12, width: 12, channels: 2), inputQuant: QuantParams(scale: 0.05, zeroPoint: 0),
                              inputDescription: "test")
        var x = try conv(&b, b.input, "conv1", outputs: 3, window: Window2D(kernel: 3))
        x = try b.maxPool(x, name: "overlapping", window: Window2D(kernel: 3, stride: 2))
        x = try conv(&b, x, "conv2", outputs: 3, window: Window2D(kernel: 1))
        x = try b.maxPool(x, name: "padded", window: Window2D(kernel: 2, stride: 2, padding: 1))
        x = try conv(&b, x, "conv3", outputs: 4, window: Window2D(kernel: 1))
        x = try b.maxPool(x, name: "clamped", window: Window2D(kernel: 2, stride: 2), activation: .relu6)
        try check(try b.finish(output: x), "kept", fusedPools: 0)
    }
}
