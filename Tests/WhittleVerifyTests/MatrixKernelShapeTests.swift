import Foundation
import WhittleCodegen
import WhittleIR
import WhittleVerify
import XCTest

/// conv2d_s8_mm (its assembly channel-pair product, the columns widened straight from the input
/// or through the int8 column, output channels without weights, input channels no filter reads
/// left out of the columns) and dwconv2d_s8_dsp's block path
/// (interior pixels in pairs, border columns and rows) held byte for byte to the Swift reference
/// on random shapes: on Cortex-M4 under QEMU, and on the host through the plain-C twins with the
/// sanitizers.
final class MatrixKernelShapeTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws { scratch = try makeScratchFolder("mm-shapes") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    /// A chain of random ungrouped convs (some output channels with all-zero weights, so the live
    /// count is odd or even) and depthwise convs over channels in words, on a random input. With
    /// `allDead` the last conv has no weights at all (its output is its bias alone, so the layers
    /// before it do not show in the output: the other seeds check them).
    static func randomGraph(seed: UInt64) throws -> QGraph {
        let allDead = seed % 3 == 0
        var rng = SeededGenerator(seed: seed)
        func draw(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
        func quant(_ scale: Double, _ zero: Int32) -> QuantParams { QuantParams(scale: scale, zeroPoint: zero) }
        /// Weights, scales and bias of `outputs` filters of `fanIn` values, the filters in `dead` all
        /// zero, and in every filter the input channels in `unread` (of `channels` per tap).
        func layer(_ outputs: Int, _ fanIn: Int, dead: Set<Int> = [], unread: Set<Int> = [], channels: Int = 1)
            -> (weights: [Int8], scales: [Double], bias: [Int32]) {
            ((0..<(outputs * fanIn)).map { i in
                dead.contains(i / fanIn) || unread.contains(i % fanIn % channels) ? 0 : Int8.random(in: -127...127, using: &rng)
            },
             (0..<outputs).map { _ in 0.002 + Double(rng.next() % 100) / 20_000 },
             (0..<outputs).map { _ in Int32.random(in: -3000...3000, using: &rng) })
        }
        /// A window of kernel k_h x k_w, stride 1 or 2 and padding up to k - 1 on each side.
        func window(_ kh: Int, _ kw: Int) -> Window2D {
            Window2D(kernelHeight: kh, kernelWidth: kw, strideHeight: draw(1...2), strideWidth: draw(1...2),
                     padTop: draw(0...(kh - 1)), padLeft: draw(0...(kw - 1)), padBottom: draw(0...(kh - 1)), padRight: draw(0...(kw - 1)))
        }
        /// A depthwise conv over x's 4 or 8 channels (the block path) with a random window.
        func depthwise(_ b: inout QGraphBuilder, _ x: QGraphBuilder.TensorRef, _ name: String) throws -> QGraphBuilder.TensorRef {
            let shape = b.shape(of: x)
            let kh = draw(1...min(5, shape.height + 2)), kw = draw(1...min(5, shape.width + 2))
            var w = window(kh, kw)
            // The padded input must hold one window.
            w.padBottom = max(w.padBottom, kh - shape.height - w.padTop)
            w.padRight = max(w.padRight, kw - shape.width - w.padLeft)
            let d = layer(shape.channels, kh * kw)
            return try b.conv2d(x, name: name, weights: d.weights, weightScales: d.scales, bias: d.bias, outputChannels: shape.channels,
                                window: w, groups: shape.channels, output: quant(0.4, Int32(draw(-128...127))), activation: .none)
        }
        var b = QGraphBuilder(inputShape: TensorShape(height: draw(4...12), width: draw(3...14), channels: 4 * draw(1...2)),
                              inputQuant: quant(0.02, Int32(draw(-128...127))), inputDescription: "test")
        var x = try depthwise(&b, b.input, "dw_input")
        for i in 0..<(allDead ? 1 : 3) {
            let shape = b.shape(of: x)
            // Keep every output at least 1 x 1: a kernel no larger than the input.
            let kh = draw(1...min(5, shape.height)), kw = draw(1...min(5, shape.width))
            // Enough outputs on the seeds with unread inputs that leaving them out pays.
            let outputs = seed % 3 == 1 ? draw(8...16) : draw(1...9)
            let dead: Set<Int> = Set((0..<outputs).filter { _ in draw(0...3) == 0 })
            // Some seeds leave input channels unread (a column then gathers the others).
            let unread: Set<Int> = seed % 3 == 1 ? Set((0..<shape.channels).filter { _ in draw(0...1) == 0 }) : []
            let p = layer(outputs, kh * kw * shape.channels, dead: allDead ? Set(0..<outputs) : dead, unread: unread,
                          channels: shape.channels)
            x = try b.conv2d(x, name: "conv\(i)", weights: p.weights, weightScales: p.scales, bias: p.bias, outputChannels: outputs,
                             window: window(kh, kw), output: quant(0.05 + Double(draw(0...20)) / 100, Int32(draw(-128...127))),
                             activation: draw(0...1) == 0 ? .none : .relu)
            if allDead { break }
            // Back to 4 or 8 channels for the next depthwise conv.
            let channels = 4 * draw(1...2)
            let q = layer(channels, outputs)
            x = try b.conv2d(x, name: "expand\(i)", weights: q.weights, weightScales: q.scales, bias: q.bias, outputChannels: channels,
                             window: Window2D(kernel: 1), output: quant(0.3, Int32(draw(-128...127))), activation: .none)
            x = try depthwise(&b, x, "dw\(i)")
        }
        return try b.finish(output: x)
    }

    private func verify(_ graph: QGraph, _ name: String, target: TargetDescriptor, sanitize: Bool) throws -> VerifyReport {
        let folder = scratch.appendingPathComponent(name)
        let emission = try Emitter.emit(graph, options: EmitOptions(target: target, modelName: name, vectorCount: 6, seed: 5, passes: .stored),
                                        resources: resources, to: folder)
        XCTAssertTrue(emission.plan.kernels.contains(KernelRegistry.conv2dMatrix.name), "\(name): \(emission.plan.kernels)")
        XCTAssertTrue(emission.plan.kernels.contains(KernelRegistry.depthwiseConv2dDSP.name), "\(name): \(emission.plan.kernels)")
        return try FolderVerifier.verify(folder: folder, resources: resources, options: VerifyOptions(sanitize: sanitize, sanitizerVectors: 6))
    }

    /// The draw reaches what it is for: channels without weights (some layers with none live),
    /// odd and even live counts, unread input channels, strides, padding, and every pixel path of
    /// the depthwise kernel.
    func testTheDrawCoversTheEdges() throws {
        var liveCounts: Set<String> = [], depthwisePaths: Set<String> = [], strided = false, padded = false, unreadInputs = false
        for seed in 0..<Self.seeds {
            let graph = try Self.randomGraph(seed: Self.firstSeed + seed)
            for node in graph.nodes {
                guard case .conv2d(let conv) = node.op else { continue }
                let w = conv.window
                strided = strided || w.strideHeight > 1 || w.strideWidth > 1
                padded = padded || w.padTop + w.padLeft + w.padBottom + w.padRight > 0
                let (input, output) = (graph.tensors[node.inputs[0]].shape, graph.tensors[node.output].shape)
                if conv.groups > 1 {
                    let rows = w.interiorRows(inputHeight: input.height, outputHeight: output.height)
                    let columns = w.interiorColumns(inputWidth: input.width, outputWidth: output.width)
                    if rows.count < output.height { depthwisePaths.insert("border rows") }
                    if !rows.isEmpty && columns.count < output.width { depthwisePaths.insert("border columns") }
                    if !rows.isEmpty && columns.count >= 2 { depthwisePaths.insert("interior pairs") }
                    if !rows.isEmpty && columns.count % 2 == 1 { depthwisePaths.insert("interior single") }
                    continue
                }
                let outputs = graph.tensors[node.output].shape.channels, values = conv.weights.denseValues
                let perTap = (0..<input.channels).map { c in stride(from: c, to: values.count, by: input.channels).contains { values[$0] != 0 } }
                if perTap.contains(false) && perTap.contains(true) { unreadInputs = true }
                let live = (0..<outputs).filter { o in values[(o * values.count / outputs)..<((o + 1) * values.count / outputs)].contains { $0 != 0 } }.count
                liveCounts.insert(live == 0 ? "none" : live == outputs ? "all" : live % 2 == 0 ? "even" : "odd")
            }
        }
        XCTAssertEqual(liveCounts, ["none", "all", "even", "odd"])
        XCTAssertEqual(depthwisePaths, ["border rows", "border columns", "interior pairs", "interior single"])
        XCTAssertTrue(strided && padded && unreadInputs)
    }

    static let firstSeed: UInt64 = 700
    static let seeds: UInt64 = 9

    func testRandomShapesAreBitExactOnCortexM4() throws {
        let descriptor = try TargetDescriptor.load(named: "cortex-m4", from: resources)
        for (tool, package) in [(descriptor.compiler, descriptor.compilerPackage), (descriptor.runner[0], descriptor.runnerPackage ?? "")]
            where ProcessRunner.which(tool) == nil {
            throw XCTSkip("\(tool) is not installed (apt-get install \(package))")
        }
        var gathered = 0
        for seed in 0..<Self.seeds {
            let report = try verify(try Self.randomGraph(seed: Self.firstSeed + seed), "m4-\(seed)", target: descriptor, sanitize: false)
            XCTAssertTrue(report.passed, "seed \(Self.firstSeed + seed): \(report.failure ?? "")")
            // Some layer's columns leave unread input channels out (an `_inputs` table).
            let model = try String(contentsOf: scratch.appendingPathComponent("m4-\(seed)/model.c"), encoding: .utf8)
            if model.contains("_inputs,") { gathered += 1 }
        }
        XCTAssertGreaterThan(gathered, 0)
    }

    /// The inline assembly asks gcc for 14 registers: model.c must still compile, warning-free,
    /// at every optimization level a firmware build may use (-O0 and -Og take other paths, see
    /// WHITTLE_DSP_ASM), and with WHITTLE_NO_ASM.
    func testKernelsCompileAtEveryOptimizationLevel() throws {
        let descriptor = try TargetDescriptor.load(named: "cortex-m4", from: resources)
        guard ProcessRunner.which(descriptor.compiler) != nil else { throw XCTSkip("\(descriptor.compiler) is not installed") }
        let folder = scratch.appendingPathComponent("levels")
        _ = try Emitter.emit(try Self.randomGraph(seed: Self.firstSeed + 1), options: EmitOptions(target: descriptor, modelName: "levels", passes: .stored),
                             resources: resources, to: folder)
        let flags = descriptor.cflags.filter { !$0.hasPrefix("-O") }
        for level in [["-O0"], ["-Og"], ["-O1"], ["-Os"], ["-O2"], ["-O3"], ["-O2", "-DWHITTLE_NO_ASM"]] {
            // A minute at most: gcc can spin on an asm it cannot give registers.
            let build = try ProcessRunner.run([descriptor.compiler] + flags + level + ["-c", "-o", "model.o", "model.c"], in: folder, timeout: 60)
            XCTAssertEqual(build.status, 0, "\(level.joined(separator: " ")): \(build.standardError)")
        }
    }

    func testRandomShapesAreBitExactOnTheHost() throws {
        var target = hostTarget
        target.kernelVariants = [.dsp]
        target.channelBlock = 4
        // A third of Cortex-M4's seeds: each host build runs the sanitizers.
        for seed in 0..<Self.seeds / 3 {
            let report = try verify(try Self.randomGraph(seed: Self.firstSeed + seed), "host-\(seed)", target: target, sanitize: true)
            XCTAssertTrue(report.passed, "seed \(Self.firstSeed + seed): \(report.failure ?? "")")
        }
    }
}
