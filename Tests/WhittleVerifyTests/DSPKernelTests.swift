import Dispatch
import Foundation
import WhittleCodegen
import WhittleIR
import WhittleVerify
import XCTest

/// The `_dsp` kernels (conv2d_s8_dsp, dwconv2d_s8_dsp, fc_s8_dsp) held byte for byte to the
/// reference: on the host through whittle_dsp.h's plain-C twin, and on Cortex-M4 and M7 under
/// QEMU with SMLAD / SXTB16, on the edges of their word layout (one input channel, runs that are
/// not a multiple of four, odd channel counts, padding, strides, groups, depth multipliers).
final class DSPKernelTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws { scratch = try makeScratchFolder("dsp") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    /// The host descriptor with the "dsp" variant and `channelBlock`.
    private func hostDSP(channelBlock: Int) -> TargetDescriptor {
        var target = hostTarget
        target.kernelVariants = [.dsp]
        target.channelBlock = channelBlock
        return target
    }

    private func verify(_ graph: QGraph, _ name: String, target: TargetDescriptor, vectors: Int, sanitize: Bool) throws -> VerifyReport {
        let folder = scratch.appendingPathComponent(name)
        let emission = try Emitter.emit(graph, options: EmitOptions(target: target, modelName: name, vectorCount: vectors, seed: 3, passes: .stored),
                                        resources: resources, to: folder)
        // The matrix-product conv is the DSP targets' kernel for ungrouped convs.
        XCTAssertTrue(emission.plan.kernels.contains { $0.hasSuffix("_dsp") || $0 == KernelRegistry.conv2dMatrix.name },
                      "\(name) uses no _dsp kernel: \(emission.plan.kernels)")
        return try FolderVerifier.verify(folder: folder, resources: resources,
                                         options: VerifyOptions(sanitize: sanitize, sanitizerVectors: vectors))
    }

    /// Every weight stored dense, so the dense (_dsp) kernels run every conv and fully connected layer.
    private func densified(_ graph: QGraph) -> QGraph {
        var graph = graph
        for i in graph.nodes.indices {
            switch graph.nodes[i].op {
            case .conv2d(var conv):
                conv.weights = .dense(conv.weights.denseValues)
                graph.nodes[i].op = .conv2d(conv)
            case .fullyConnected(var fc):
                fc.weights = .dense(fc.weights.denseValues)
                graph.nodes[i].op = .fullyConnected(fc)
            default:
                break
            }
        }
        return graph
    }

    /// Chains of layers on the edges of the _dsp kernels, several to a graph so one build and one
    /// emulator run check many. `seed` draws the weights, biases and scales.
    static func edgeGraphs(seed: UInt64) throws -> [QGraph] {
        var rng = SeededGenerator(seed: seed)
        func layer(_ outputs: Int, _ fanIn: Int) -> (weights: [Int8], scales: [Double], bias: [Int32]) {
            ((0..<(outputs * fanIn)).map { _ in Int8.random(in: -127...127, using: &rng) },
             (0..<outputs).map { _ in 0.002 + Double(rng.next() % 100) / 20_000 },
             (0..<outputs).map { _ in Int32.random(in: -3000...3000, using: &rng) })
        }
        func quant(_ scale: Double, _ zero: Int32) -> QuantParams { QuantParams(scale: scale, zeroPoint: zero) }

        // One input channel: conv1 of LeNet with borders (runs of 5 and 3 bytes), then odd
        // channel counts, a padded stride-2 conv, depthwise (multipliers 1 and 2, with a tail of
        // channels), grouped, 1x1, and fully connected layers with runs of 1 to 3 past a word.
        var b = QGraphBuilder(inputShape: TensorShape(height: 11, width: 13, channels: 1), inputQuant: quant(0.02, 17),
                              inputDescription: "test")
        var p = layer(5, 25)
        var x = try b.conv2d(b.input, name: "c1_pad", weights: p.weights, weightScales: p.scales, bias: p.bias, outputChannels: 5,
                             window: Window2D(kernelHeight: 5, kernelWidth: 5, padTop: 2, padLeft: 1, padBottom: 2, padRight: 3),
                             output: quant(0.08, -128), activation: .relu)
        p = layer(7, 5 * 3 * 3)
        x = try b.conv2d(x, name: "stride2", weights: p.weights, weightScales: p.scales, bias: p.bias, outputChannels: 7,
                         window: Window2D(kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, padTop: 1, padLeft: 0,
                                          padBottom: 1, padRight: 1),
                         output: quant(0.1, 3), activation: .none)
        p = layer(7, 9)
        x = try b.conv2d(x, name: "dw_tail", weights: p.weights, weightScales: p.scales, bias: p.bias, outputChannels: 7,
                         window: Window2D(kernel: 3, padding: 1), groups: 7, output: quant(0.07, -128), activation: .relu6)
        p = layer(14, 9)
        x = try b.conv2d(x, name: "dw_multiplier2", weights: p.weights, weightScales: p.scales, bias: p.bias, outputChannels: 14,
                         window: Window2D(kernel: 3, padding: 1), groups: 7, output: quant(0.09, -5), activation: .none)
        p = layer(6, 7 * 2 * 2)
        x = try b.conv2d(x, name: "grouped", weights: p.weights, weightScales: p.scales, bias: p.bias, outputChannels: 6,
                         window: Window2D(kernel: 2), groups: 2, output: quant(0.1, -128), activation: .relu)
        p = layer(8, 6)
        x = try b.conv2d(x, name: "pointwise", weights: p.weights, weightScales: p.scales, bias: p.bias, outputChannels: 8,
                         window: Window2D(kernel: 1), output: quant(0.06, 10), activation: .none)
        x = try b.flatten(x, name: "flatten")
        for (name, outputs) in [("fc13", 13), ("fc7", 7), ("fc3", 3)] {
            p = layer(outputs, b.shape(of: x).elementCount)
            x = try b.fullyConnected(x, name: name, weights: p.weights, weightScales: p.scales, bias: p.bias, outputCount: outputs,
                                     output: quant(0.2, -9), activation: .none)
        }
        let mixed = try b.finish(output: x)

        // Channel blocks of four and eight: a padded 3x3 conv over 8 channels (runs of 24), a
        // depthwise conv over 12 channels with stride 2 and borders, a conv with runs of 7.
        b = QGraphBuilder(inputShape: TensorShape(height: 9, width: 10, channels: 8), inputQuant: quant(0.03, -20), inputDescription: "test")
        p = layer(16, 8 * 9)
        x = try b.conv2d(b.input, name: "conv3x3", weights: p.weights, weightScales: p.scales, bias: p.bias, outputChannels: 16,
                         window: Window2D(kernel: 3, padding: 1), output: quant(0.15, -128), activation: .relu)
        p = layer(16, 9)
        x = try b.conv2d(x, name: "dw_stride2", weights: p.weights, weightScales: p.scales, bias: p.bias, outputChannels: 16,
                         window: Window2D(kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, padTop: 1, padLeft: 1,
                                          padBottom: 0, padRight: 1),
                         groups: 16, output: quant(0.1, 0), activation: .none)
        p = layer(12, 4 * 7)
        x = try b.conv2d(x, name: "conv1x7", weights: p.weights, weightScales: p.scales, bias: p.bias, outputChannels: 12,
                         window: Window2D(kernelHeight: 1, kernelWidth: 7, padTop: 0, padLeft: 3, padBottom: 0, padRight: 3),
                         groups: 4, output: quant(0.2, -128), activation: .relu)
        x = try b.flatten(x, name: "flatten")
        p = layer(10, b.shape(of: x).elementCount)
        x = try b.fullyConnected(x, name: "fc", weights: p.weights, weightScales: p.scales, bias: p.bias, outputCount: 10,
                                 output: quant(0.3, 0), activation: .none)
        let blocked = try b.finish(output: x)
        return [mixed, blocked]
    }

    /// Host: random graphs with every weight dense, with channel blocks of 4 (as on Cortex-M4/M7)
    /// and 8, plus the edge graphs and LeNet, those under the sanitizers too.
    func testDSPKernelsAreBitExactOnTheHost() throws {
        // Random graphs with a conv or fully connected layer (some draw only pooling).
        var graphs = Array((0..<24).map { (name: "random\($0)", graph: densified(SampleGraphs.random(seed: UInt64(5000 + $0)))) }
            .filter { $0.graph.nodes.contains { node in
                if case .conv2d = node.op { return true }
                if case .fullyConnected = node.op { return true }
                return false
            } }
            .prefix(14))
        graphs += try Self.edgeGraphs(seed: 31).enumerated().map { (name: "edge\($0.offset)", graph: $0.element) }
        graphs.append((name: "lenet", graph: SampleGraphs.leNet(seed: 9)))
        let kernels = Set(graphs.flatMap { item in item.graph.nodes.compactMap { node -> String? in
            guard case .conv2d(let conv) = node.op else { return node.op.kindName }
            return conv.groups > 1 && conv.groups == item.graph.tensors[node.inputs[0]].shape.channels ? "depthwise" : "conv"
        } })
        XCTAssertTrue(kernels.isSuperset(of: ["conv", "depthwise", "fully_connected"]), "\(kernels)")

        let lock = NSLock()
        var failures: [String] = []
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for i in stride(from: worker, to: graphs.count, by: 2) {
                let (name, graph) = graphs[i]
                do {
                    let report = try verify(graph, name, target: hostDSP(channelBlock: i % 2 == 0 ? 4 : 8), vectors: 6,
                                            sanitize: name.hasPrefix("edge") || name == "lenet")
                    if !report.passed {
                        lock.lock()
                        failures.append("\(name): \(report.failure ?? "")")
                        lock.unlock()
                    }
                } catch {
                    lock.lock()
                    failures.append("\(name): \(error)")
                    lock.unlock()
                }
            }
        }
        XCTAssertEqual(failures, [])
    }

    /// Cortex-M4 and M7 under QEMU: the edge graphs and LeNet with the SMLAD / SXTB16 kernels,
    /// through the same verification as `whittle verify DIR` (build, run, integer-only check).
    func testDSPKernelsAreBitExactOnCortexM4AndM7() throws {
        for target in ["cortex-m4", "cortex-m7"] {
            let descriptor = try TargetDescriptor.load(named: target, from: resources)
            for (tool, package) in [(descriptor.compiler, descriptor.compilerPackage), (descriptor.runner[0], descriptor.runnerPackage ?? "")]
                where ProcessRunner.which(tool) == nil {
                throw XCTSkip("\(tool) is not installed (apt-get install \(package)): the DSP kernels are not run on \(target)")
            }
            let graphs = try Self.edgeGraphs(seed: 32) + [SampleGraphs.leNet(seed: 10)]
            for (i, graph) in graphs.enumerated() {
                let report = try verify(graph, "\(target)-\(i)", target: descriptor, vectors: 8, sanitize: false)
                XCTAssertTrue(report.passed, "\(target) graph \(i): \(report.failure ?? "")")
                XCTAssertEqual(report.comparison.vectors, 8)
            }
        }
    }
}
