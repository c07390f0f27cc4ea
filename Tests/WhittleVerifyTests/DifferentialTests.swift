import Foundation
import WhittleCodegen
import WhittleIR
import WhittleVerify
import XCTest

/// Random small graphs, each emitted, built with gcc and run on random and extreme inputs:
/// every output byte must equal the reference interpreter's. About half the conv and fully
/// connected layers store their weights index-sparse or N:M, so the same builds check the
/// sparse kernels.
final class DifferentialTests: XCTestCase {
    /// `WHITTLE_DIFF_GRAPHS` raises it for a soak (`make soak`).
    static let graphCount = ProcessInfo.processInfo.environment["WHITTLE_DIFF_GRAPHS"].flatMap { Int($0) }.map { max($0, 1) } ?? 120
    static let vectorsPerGraph = 6 // all −128, all 127, all at the zero point, then random

    func testRandomGraphsAreBitExact() throws {
        let graphs = (0..<Self.graphCount).map { SampleGraphs.random(seed: UInt64(1000 + $0)) }
        // The first 200 draws are the same whatever the count; fewer prove too little to count.
        if graphs.count >= 200 { assertCoverage(Array(graphs.prefix(200))) }
        // A sanitizer build for every twentieth graph keeps the run short.
        let (failures, checkedBytes) = try HostDifferentialRun(label: "differential", vectors: Self.vectorsPerGraph, sanitizeEvery: 20).run(graphs)
        XCTAssertEqual(failures, [])
        XCTAssertGreaterThan(checkedBytes, Self.graphCount * Self.vectorsPerGraph)
    }

    /// Graphs the soak once failed on, kept as regression tests. Graph 3926 of `make soak`
    /// (seed 4926): a 1:3 fully connected layer whose 60 groups the whole-byte loops took all of;
    /// the leftover loop ran "while g < groups", gcc bounded it by the index table's end instead
    /// and -Werror=aggressive-loop-optimizations stopped the build.
    func testGraphsTheSoakFoundStayBitExact() throws {
        let scratch = try makeScratchFolder("soak-regressions")
        defer { try? FileManager.default.removeItem(at: scratch) }
        for seed: UInt64 in [4926] {
            let folder = scratch.appendingPathComponent("graph\(seed)")
            try Emitter.emit(SampleGraphs.random(seed: seed), options: EmitOptions(target: hostTarget, modelName: "seed-\(seed)",
                                                                                  vectorCount: Self.vectorsPerGraph, seed: seed, passes: .stored),
                             resources: resources, to: folder)
            let report = try FolderVerifier.verify(folder: folder, resources: resources, options: VerifyOptions(sanitizerVectors: Self.vectorsPerGraph))
            XCTAssertTrue(report.passed, "seed \(seed): \(report.failure ?? "")")
        }
    }

    /// Index-sparse layers whose ready-to-run tables would overflow their 16-bit columns or counts
    /// (a fully connected layer over 70,000 inputs, a conv filter of 130,050 taps) used to trap in
    /// the kernel planner: they take the gap-decoding kernels instead, and stay bit-exact.
    func testOversizedIndexedLayersFallBackAndStayBitExact() throws {
        var target = hostTarget
        target.kernelVariants = [.indexedSparse]
        let quant = QuantParams(scale: 0.01, zeroPoint: 3), output = QuantParams(scale: 1, zeroPoint: -2)
        var fc = QGraphBuilder(inputShape: TensorShape(vector: 70_000), inputQuant: quant, inputDescription: "wide vector")
        let y = try fc.fullyConnected(fc.input, name: "fc", weights: (0..<70_000).map { Int8($0 % 7 - 3) }, weightScales: [0.01],
                                      bias: [5], outputCount: 1, output: output, activation: .none, format: .indexSparse)
        var conv = QGraphBuilder(inputShape: TensorShape(height: 1, width: 1, channels: 2), inputQuant: quant, inputDescription: "one pixel")
        let z = try conv.conv2d(conv.input, name: "conv", weights: (0..<(255 * 255 * 2)).map { Int8($0 % 5 - 2) }, weightScales: [0.01],
                                bias: [5], outputChannels: 1, window: Window2D(kernel: 255, stride: 255, padding: 254),
                                output: output, activation: .none, format: .indexSparse)
        let scratch = try makeScratchFolder("indexed-fallback")
        defer { try? FileManager.default.removeItem(at: scratch) }
        for (name, graph, kernel) in [("fc", try fc.finish(output: y), "fc_s8_sparse"), ("conv", try conv.finish(output: z), "conv2d_s8_sparse")] {
            let folder = scratch.appendingPathComponent(name)
            let emission = try Emitter.emit(graph, options: EmitOptions(target: target, modelName: name, vectorCount: 4, passes: .stored),
                                            resources: resources, to: folder)
            XCTAssertTrue(emission.plan.kernels.contains(kernel), "\(emission.plan.kernels)")
            let report = try FolderVerifier.verify(folder: folder, resources: resources, options: VerifyOptions(sanitize: false))
            XCTAssertTrue(report.passed, "\(name): \(report.comparison.firstMismatch.map(String.init(describing:)) ?? "")")
        }
    }

    /// The draw must reach every kernel, the edges of the arithmetic and of the sparse formats,
    /// or the test proves little.
    private func assertCoverage(_ graphs: [QGraph]) {
        var kernels = Set<String>(), shifts = Set<Int32>(), patterns = Set<String>()
        var zeroMultipliers = 0, stridedPadded = 0, fullyConnectedAfterFlatten = 0, grouped = 0, chains = 0
        var sparsePadded = 0, escapes = 0, tails = 0, reorderedInputs = 0
        var sparseShifts = Set<Int32>(), sparseZeroMultipliers = 0
        var softmaxLast = 0, meanKeepDims = Set<Bool>(), channelPads = 0, padsBeforeConv = 0
        for graph in graphs {
            if graph.nodes.count >= 3 { chains += 1 }
            for (i, node) in graph.nodes.enumerated() {
                let weights: WeightStorage
                var kind = "fc"
                switch node.op {
                case .conv2d(let conv):
                    let depthwise = conv.groups > 1 && conv.groups == graph.tensors[node.inputs[0]].shape.channels
                    kind = "conv"
                    weights = conv.weights
                    if case .dense = weights { kernels.insert(depthwise ? "dwconv2d_s8" : "conv2d_s8") }
                    if conv.groups > 1 && !depthwise { grouped += 1 }
                    shifts.formUnion(conv.requantization.map(\.shift))
                    zeroMultipliers += conv.requantization.filter { $0.multiplier == 0 }.count
                    if conv.window.strideHeight > 1 && conv.window.padTop != conv.window.padBottom {
                        stridedPadded += 1
                        if weights.format != .dense { sparsePadded += 1 }
                    }
                case .fullyConnected(let fc):
                    weights = fc.weights
                    if case .dense = weights { kernels.insert("fc_s8") }
                    shifts.formUnion(fc.requantization.map(\.shift))
                    zeroMultipliers += fc.requantization.filter { $0.multiplier == 0 }.count
                    if i > 0, graph.nodes[i - 1].op == .reshape { fullyConnectedAfterFlatten += 1 }
                case .maxPool: kernels.insert("maxpool_s8"); continue
                case .averagePool: kernels.insert("avgpool_s8"); continue
                case .softmax:
                    kernels.insert("softmax_s8")
                    if node.output == graph.output { softmaxLast += 1 }
                    continue
                case .mean(let mean):
                    kernels.insert("mean_s8")
                    meanKeepDims.insert(mean.keepDims)
                    continue
                case .pad(let pad):
                    kernels.insert("pad_s8")
                    if pad.channelsBefore + pad.channelsAfter > 0 { channelPads += 1 }
                    if i + 1 < graph.nodes.count, case .conv2d = graph.nodes[i + 1].op { padsBeforeConv += 1 }
                    continue
                case .reshape, .add: continue
                }
                let requantization: [QuantizedMultiplier]
                switch node.op {
                case .conv2d(let conv): requantization = conv.requantization
                case .fullyConnected(let fc): requantization = fc.requantization
                default: requantization = []
                }
                if weights.format != .dense {
                    sparseShifts.formUnion(requantization.map(\.shift))
                    sparseZeroMultipliers += requantization.filter { $0.multiplier == 0 }.count
                }
                switch weights {
                case .dense: break
                case .indexSparse(let sparse):
                    kernels.insert("\(kind)_sparse")
                    escapes += sparse.gaps.filter { $0 & 0x0F == 15 || $0 >> 4 == 15 }.count
                case .bitmap:
                    kernels.insert("\(kind)_bitmap")
                case .nm(let nm):
                    kernels.insert("\(kind)_nm")
                    patterns.insert("\(nm.n):\(nm.m)")
                    if nm.tail > 0 { tails += 1 }
                    if kind == "fc" && nm.positions > 1 && nm.channels > 1 { reorderedInputs += 1 }
                }
            }
        }
        XCTAssertEqual(kernels, ["conv2d_s8", "dwconv2d_s8", "fc_s8", "maxpool_s8", "avgpool_s8",
                                 "conv_sparse", "fc_sparse", "conv_bitmap", "fc_bitmap", "conv_nm", "fc_nm",
                                 "softmax_s8", "mean_s8", "pad_s8"])
        XCTAssertGreaterThan(softmaxLast, 20, "graphs ending in a softmax")
        XCTAssertEqual(meanKeepDims, [false, true], "means that keep their dimensions and means that do not")
        XCTAssertGreaterThan(channelPads, 3, "pads of the channels")
        XCTAssertGreaterThan(padsBeforeConv, 10, "pads before a conv")
        XCTAssertGreaterThan(patterns.count, 8, "N:M patterns \(patterns)")
        XCTAssertTrue(sparseShifts.contains { $0 > 0 } && sparseShifts.contains { $0 < -20 }, "sparse layers' prepared multipliers at both ends")
        XCTAssertGreaterThan(sparseZeroMultipliers, 0)
        XCTAssertGreaterThan(sparsePadded, 3, "sparse convs with border pixels")
        XCTAssertGreaterThan(escapes, 10, "escape nibbles (gaps of 15 or more)")
        XCTAssertGreaterThan(tails, 10, "N:M groups with a dense tail")
        XCTAssertGreaterThan(reorderedInputs, 3, "N:M fully connected layers that reorder their input")
        XCTAssertTrue(shifts.contains { $0 > 0 }, "a multiplier above 1")
        XCTAssertTrue(shifts.contains { $0 < -20 }, "a tiny multiplier")
        XCTAssertGreaterThan(zeroMultipliers, 0)
        XCTAssertGreaterThan(stridedPadded, 5)
        XCTAssertGreaterThan(fullyConnectedAfterFlatten, 5)
        XCTAssertGreaterThan(grouped, 5)
        XCTAssertGreaterThan(chains, 50)
    }
}
