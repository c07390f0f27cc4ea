import Foundation
import WhittleCodegen
import WhittleIR
import WhittleVerify
import XCTest

/// The sparse kernels on the edges of their formats, built with gcc (and the sanitizers) and held
/// byte for byte to the reference; and contract 3 on the host: a pruned LeNet is smaller and
/// faster than its dense twin.
final class SparseKernelTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws { scratch = try makeScratchFolder("sparse") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    private func verify(_ graph: QGraph, _ name: String, target: TargetDescriptor = hostTarget) throws -> VerifyReport {
        let folder = scratch.appendingPathComponent(name)
        try Emitter.emit(graph, options: EmitOptions(target: target, modelName: name, vectorCount: 12, passes: .stored), resources: resources, to: folder)
        return try FolderVerifier.verify(folder: folder, resources: resources, options: VerifyOptions(sanitizerVectors: 12))
    }

    private func layer(_ rng: inout SeededGenerator, _ outputs: Int, _ fanIn: Int, _ weight: (Int, Int) -> Int8)
        -> (weights: [Int8], scales: [Double], bias: [Int32]) {
        ((0..<(outputs * fanIn)).map { weight($0 / fanIn, $0 % fanIn) },
         (0..<outputs).map { _ in 0.002 + Double(rng.next() % 100) / 20_000 },
         (0..<outputs).map { _ in Int32.random(in: -2000...2000, using: &rng) })
    }

    /// Index format: a filter and an output with no weight at all, one with every weight (more
    /// than 255 nibbles: two count bytes), runs of zeros longer than 15 (escapes), padding.
    /// Then bitmaps over 20 inputs (a partial mask byte) and N:M with a dense tail.
    func testIndexBitmapAndNMEdgeCasesAreBitExact() throws {
        var rng = SeededGenerator(seed: 21)
        func random() -> Int8 { Int8.random(in: -127...127, using: &rng) | 1 }
        var b = QGraphBuilder(inputShape: TensorShape(height: 6, width: 6, channels: 32), inputQuant: QuantParams(scale: 0.03, zeroPoint: 17),
                              inputDescription: "test")
        // conv: 288 weights per filter; filter 0 empty, 1 full, 2 two weights 280 apart, the rest 10 %.
        var p = layer(&rng, 8, 288) { o, i in
            switch o {
            case 0: return 0
            case 1: return 1
            case 2: return i == 3 || i == 283 ? 100 : 0
            default: return i % 10 == o ? 1 : 0
            }
        }
        p.weights = p.weights.map { $0 == 0 ? 0 : ($0 == 100 ? 100 : random()) }
        var x = try b.conv2d(b.input, name: "conv_index", weights: p.weights, weightScales: p.scales, bias: p.bias, outputChannels: 8,
                             window: Window2D(kernel: 3, padding: 1), output: QuantParams(scale: 0.4, zeroPoint: -128),
                             activation: .relu, format: .indexSparse)
        x = try b.flatten(x, name: "flatten")
        // fc over 288 inputs: output 0 empty, 1 full, 2 sparse with long runs, the rest 20 %.
        p = layer(&rng, 20, 288) { o, i in
            switch o {
            case 0: return 0
            case 1: return 1
            case 2: return i % 40 == 39 ? 1 : 0
            default: return (i * 7 + o) % 5 == 0 ? 1 : 0
            }
        }
        p.weights = p.weights.map { $0 == 0 ? 0 : random() }
        x = try b.fullyConnected(x, name: "fc_index", weights: p.weights, weightScales: p.scales, bias: p.bias, outputCount: 20,
                                 output: QuantParams(scale: 0.6, zeroPoint: -128), activation: .relu6, format: .indexSparse)
        p = layer(&rng, 13, 20) { o, i in (i + o) % 3 == 0 ? 1 : 0 }
        p.weights = p.weights.map { $0 == 0 ? 0 : random() }
        x = try b.fullyConnected(x, name: "fc_bitmap", weights: p.weights, weightScales: p.scales, bias: p.bias, outputCount: 13,
                                 output: QuantParams(scale: 0.3, zeroPoint: 5), activation: .none, format: .bitmap)
        p = layer(&rng, 7, 13) { o, i in i >= 12 || (i % 4 == o % 4) || (o == 0) && i % 4 == 1 ? 1 : 0 }
        p.weights = p.weights.map { $0 == 0 ? 0 : random() }
        x = try b.fullyConnected(x, name: "fc_nm", weights: p.weights, weightScales: p.scales, bias: p.bias, outputCount: 7,
                                 output: QuantParams(scale: 0.2, zeroPoint: -7), activation: .none, format: .nm(n: 2, m: 4))
        let graph = try b.finish(output: x)
        guard case .conv2d(let conv) = graph.nodes[0].op, case .indexSparse(let index) = conv.weights else { return XCTFail() }
        XCTAssertTrue(index.counts.contains(255) && index.counts.contains(0), "\(index.counts)")
        XCTAssertTrue(index.gaps.contains { $0 & 0x0F == 15 || $0 >> 4 == 15 }, "an escape")
        // Once with 4-bit gaps, once with a column per weight (a uint16 column past 256 inputs).
        var indexed = hostTarget
        indexed.kernelVariants = [.indexedSparse]
        for (name, target) in [("index", hostTarget), ("indexed", indexed)] {
            let report = try verify(graph, name, target: target)
            XCTAssertTrue(report.passed, "\(name): \(report.comparison.firstMismatch.map(String.init(describing:)) ?? report.sanitizer?.report ?? "")")
        }
        let kernels = try Emitter.emission(of: graph, options: EmitOptions(target: indexed, modelName: "m", passes: .stored), resources: resources).plan.kernels
        XCTAssertTrue(kernels.contains("fc_s8_indexed") && !kernels.contains("fc_s8_sparse"), "\(kernels)")
    }

    /// `fc_s8_indexed` with one-byte columns (LeNet's fc layers, at most 256 inputs) and
    /// `conv2d_s8_indexed` without borders (no positions table) against the reference, sanitizers on.
    func testIndexedColumnsOfPrunedLeNetAreBitExact() throws {
        var indexed = hostTarget
        indexed.kernelVariants = [.indexedSparse]
        let graph = try SampleGraphs.magnitudePruned(SampleGraphs.leNet(seed: 9), sparsity: SampleGraphs.tutorialSparsity)
        let report = try verify(graph, "lenet-indexed", target: indexed)
        XCTAssertTrue(report.passed, report.failure ?? "")
        let emission = try Emitter.emission(of: graph, options: EmitOptions(target: indexed, modelName: "m", passes: .stored), resources: resources)
        XCTAssertEqual(emission.manifest.layers.filter { $0.op == "fully_connected" }.map(\.kernel), Array(repeating: "fc_s8_indexed", count: 3))
        XCTAssertEqual(emission.manifest.layers.filter { $0.op == "conv2d" }.map(\.kernel), Array(repeating: "conv2d_s8_indexed", count: 2))
        XCTAssertTrue(String(decoding: emission.files.first { $0.path == "model_weights.c" }!.bytes, as: UTF8.self)
            .contains("static const uint8_t fc1_columns[]"))
    }

    /// The sparse conv's pixel tiles on their edges, as ready taps (`conv2d_s8_indexed`) and as
    /// 4-bit gaps: one input channel without a pool and rows of 11 (tiles of 8, 2 and 1), one
    /// input channel with padding and a folded 2x2 pool (tiles of both pool rows), a folded 3x3
    /// pool (one row per tile), an empty filter. On the host under the sanitizers, and where
    /// installed on Cortex-M4 (whose one-channel tiles load four pixels a word) and Cortex-M0.
    func testGatherTilesAreBitExact() throws {
        var rng = SeededGenerator(seed: 23)
        func sparse(_ outputs: Int, _ fanIn: Int) -> (weights: [Int8], scales: [Double], bias: [Int32]) {
            var p = layer(&rng, outputs, fanIn) { o, i in o == 1 ? 0 : ((i * 5 + o * 3) % 7 < 2 ? 1 : 0) }
            p.weights = p.weights.map { $0 == 0 ? 0 : Int8.random(in: -127...127, using: &rng) | 1 }
            return p
        }
        func quant(_ scale: Double, _ zero: Int32) -> QuantParams { QuantParams(scale: scale, zeroPoint: zero) }
        var graphs: [QGraph] = []
        var b = QGraphBuilder(inputShape: TensorShape(height: 9, width: 13, channels: 1), inputQuant: quant(0.03, 17), inputDescription: "test")
        var p = sparse(4, 9)
        var x = try b.conv2d(b.input, name: "rows_of_11", weights: p.weights, weightScales: p.scales, bias: p.bias, outputChannels: 4,
                             window: Window2D(kernel: 3), output: quant(0.2, -3), activation: .none, format: .indexSparse)
        x = try b.flatten(x, name: "flatten")
        graphs.append(try b.finish(output: x))
        b = QGraphBuilder(inputShape: TensorShape(height: 12, width: 13, channels: 1), inputQuant: quant(0.03, -9), inputDescription: "test")
        p = sparse(5, 9)
        x = try b.conv2d(b.input, name: "pool2", weights: p.weights, weightScales: p.scales, bias: p.bias, outputChannels: 5,
                         window: Window2D(kernel: 3, padding: 1), output: quant(0.1, -128), activation: .relu, format: .indexSparse)
        x = try b.maxPool(x, name: "pool2x2", window: Window2D(kernel: 2, stride: 2))
        p = sparse(6, 5 * 9)
        x = try b.conv2d(x, name: "pool3", weights: p.weights, weightScales: p.scales, bias: p.bias, outputChannels: 6,
                         window: Window2D(kernel: 3, padding: 1), output: quant(0.2, -128), activation: .relu6, format: .indexSparse)
        x = try b.maxPool(x, name: "pool3x3", window: Window2D(kernel: 3, stride: 3))
        graphs.append(try b.finish(output: x))

        var indexed = hostTarget
        indexed.kernelVariants = [.indexedSparse]
        var targets = [("index", hostTarget), ("indexed", indexed)]
        for name in ["cortex-m4", "cortex-m0"] {
            let target = try TargetDescriptor.load(named: name, from: resources)
            if Toolchain.availability(of: [target]).available.contains(name) { targets.append((name, target)) }
        }
        for (g, graph) in graphs.enumerated() {
            for (name, target) in targets {
                let folder = scratch.appendingPathComponent("tiles\(g)-\(name)")
                let emission = try Emitter.emit(graph, options: EmitOptions(target: target, modelName: "tiles", vectorCount: 8, passes: .stored),
                                                resources: resources, to: folder)
                XCTAssertEqual(emission.plan.kernels.contains("conv2d_s8_indexed"), name != "index", "\(name): \(emission.plan.kernels)")
                XCTAssertTrue(emission.manifest.layers.contains { $0.kernel == "fused" } || g == 0, "the pools fold into the convs")
                let report = try FolderVerifier.verify(folder: folder, resources: resources,
                                                       options: VerifyOptions(sanitize: target.harness == "host", sanitizerVectors: 8))
                XCTAssertTrue(report.passed, "graph \(g) on \(name): \(report.failure ?? "")")
            }
        }
    }

    /// N:M convs whose groups run across channels and rows, with border pixels (padding,
    /// stride 2, grouped); a bitmap depthwise conv; an N:M fully connected layer that reorders a
    /// flattened input channels-first; and a 3:4 pattern (groups straddling index bytes).
    func testNMAndBitmapConvolutionsAreBitExact() throws {
        var rng = SeededGenerator(seed: 22)
        func pruned(_ outputs: Int, _ fanIn: Int, n: Int, m: Int) -> (weights: [Int8], scales: [Double], bias: [Int32]) {
            var p = layer(&rng, outputs, fanIn) { _, _ in 1 }
            for start in stride(from: 0, to: p.weights.count, by: fanIn) {
                for g in stride(from: start, to: start + fanIn - fanIn % m, by: m) {
                    for i in (0..<m).shuffled(using: &rng).prefix(m - n) { p.weights[g + i] = 0 }
                }
            }
            p.weights = p.weights.map { $0 == 0 ? 0 : Int8.random(in: -127...127, using: &rng) }
            return p
        }
        var b = QGraphBuilder(inputShape: TensorShape(height: 7, width: 9, channels: 6), inputQuant: QuantParams(scale: 0.05, zeroPoint: -20),
                              inputDescription: "test")
        var p = pruned(8, 3 * 3 * 3, n: 2, m: 4) // groups 2: 3 input channels per group, 27 weights, a tail of 3
        var x = try b.conv2d(b.input, name: "conv_nm", weights: p.weights, weightScales: p.scales, bias: p.bias, outputChannels: 8,
                             window: Window2D(kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 1, padTop: 1, padLeft: 2,
                                              padBottom: 0, padRight: 1),
                             groups: 2, output: QuantParams(scale: 0.3, zeroPoint: -128), activation: .relu, format: .nm(n: 2, m: 4))
        p = pruned(8, 3 * 3, n: 1, m: 2)
        x = try b.conv2d(x, name: "conv_bitmap", weights: p.weights, weightScales: p.scales, bias: p.bias, outputChannels: 8,
                         window: Window2D(kernel: 3, padding: 1), groups: 8, output: QuantParams(scale: 0.3, zeroPoint: -128),
                         activation: .relu, format: .bitmap)
        p = pruned(6, 8 * 2 * 2, n: 3, m: 4)
        x = try b.conv2d(x, name: "conv_nm34", weights: p.weights, weightScales: p.scales, bias: p.bias, outputChannels: 6,
                         window: Window2D(kernel: 2, stride: 2), output: QuantParams(scale: 0.3, zeroPoint: -128),
                         activation: .relu, format: .nm(n: 3, m: 4))
        let flat = b.shape(of: x)
        x = try b.flatten(x, name: "flatten")
        p = pruned(9, flat.elementCount, n: 2, m: 8)
        x = try b.fullyConnected(x, name: "fc_nm", weights: p.weights, weightScales: p.scales, bias: p.bias, outputCount: 9,
                                 output: QuantParams(scale: 0.2, zeroPoint: 3), activation: .none, format: .nm(n: 2, m: 8))
        let graph = try b.finish(output: x)
        XCTAssertGreaterThan(flat.height * flat.width, 1, "the fully connected input is reordered channels-first")
        let report = try verify(graph, "nm")
        XCTAssertTrue(report.passed, "\(report.comparison.firstMismatch.map(String.init(describing:)) ?? report.sanitizer?.report ?? "")")
    }

    /// Contract 3 on the host: LeNet magnitude-pruned to the PyTorch tutorial's per-layer
    /// sparsities and stored index-sparse takes under 0.45× the flash, under 0.2× the MACs and
    /// (with valgrind) under half the instructions of its dense twin.
    func testPrunedLeNetIsSmallerAndFasterThanItsDenseTwin() throws {
        let dense = SampleGraphs.leNet(seed: 7)
        var pruned = dense
        let sparsity = ["conv1": 0.85, "conv2": 0.8, "fc1": 0.75, "fc2": 0.7, "fc3": 0.8]
        for (i, node) in dense.nodes.enumerated() {
            func prune(_ w: WeightStorage, outputs: Int) throws -> WeightStorage {
                var values = w.denseValues
                let cut = Int((sparsity[node.name]! * Double(values.count)).rounded())
                for j in values.indices.sorted(by: { values[$0].magnitude < values[$1].magnitude || values[$0].magnitude == values[$1].magnitude && $0 < $1 }).prefix(cut) {
                    values[j] = 0
                }
                return try WeightStorage(encoding: values, as: .indexSparse, outputs: outputs, channels: dense.reductionChannels(of: node))
            }
            switch node.op {
            case .conv2d(var conv):
                conv.weights = try prune(conv.weights, outputs: conv.bias.count)
                pruned.nodes[i].op = .conv2d(conv)
            case .fullyConnected(var fc):
                fc.weights = try prune(fc.weights, outputs: fc.bias.count)
                pruned.nodes[i].op = .fullyConnected(fc)
            default:
                break
            }
        }
        var folders: [URL] = []
        var manifests: [EmitManifest] = []
        for (name, graph) in [("dense", dense), ("pruned", pruned)] {
            let folder = scratch.appendingPathComponent(name)
            manifests.append(try Emitter.emit(graph, options: EmitOptions(target: hostTarget, modelName: name, vectorCount: 4, passes: .stored),
                                              resources: resources, to: folder).manifest)
            folders.append(folder)
        }
        XCTAssertLessThan(Double(manifests[1].constantBytes), 0.45 * Double(manifests[0].constantBytes))
        XCTAssertLessThan(Double(manifests[1].executedMacs), 0.2 * Double(manifests[0].executedMacs))
        XCTAssertEqual(manifests[1].layers.compactMap(\.weightFormat), ["index", "index", "index", "index", "index"])
        let report = try FolderVerifier.verify(folder: folders[1], resources: resources, options: VerifyOptions(sanitize: false))
        XCTAssertTrue(report.passed)
        guard ProcessRunner.which("valgrind") != nil else { throw XCTSkip("valgrind is not installed: no instruction counts") }
        let costs = try folders.map { try HostBenchmark.measure(folder: $0, resources: resources, minimumMilliseconds: 20) }
        let (d, s) = (try XCTUnwrap(costs[0].instructionsPerInference), try XCTUnwrap(costs[1].instructionsPerInference))
        XCTAssertLessThan(Double(s), 0.5 * Double(d), "pruned \(s) vs dense \(d) instructions per inference")
    }
}
