import WhittleCodegen
import WhittleIR
import XCTest

/// The pass registry and pipeline: every pass listed once with a line of description, the graph
/// shown between passes, max-pool folding as a rewrite that keeps the graph's results.
final class PassTests: XCTestCase {
    private let resources = WhittleResources(root: repositoryRoot)

    private func emission(_ graph: QGraph, target: String = "host", _ passes: PassOptions) throws -> Emission {
        let target = try TargetDescriptor.load(named: target, from: resources)
        return try Emitter.emission(of: graph, options: EmitOptions(target: target, modelName: "test", vectorCount: 2, passes: passes),
                                    resources: resources)
    }

    func testRegistryListsEveryPassOnce() {
        let names = Pass.allCases.map(\.info.name)
        XCTAssertEqual(Set(names).count, names.count)
        XCTAssertEqual(names, Pass.allCases.map(\.rawValue))
        for pass in Pass.allCases {
            XCTAssertFalse(pass.info.summary.isEmpty || pass.info.summary.contains("\n"), pass.rawValue)
        }
        XCTAssertEqual(Pass(rawValue: "fold-max-pool"), .foldMaxPool)
    }

    /// LeNet's two pools fold into its convs: the graph before the rewrite has them as nodes,
    /// the graph after it has them in the convs' output stages, and the C calls no pool kernel.
    func testPrintAfterShowsTheFoldedPools() throws {
        let lenet = SampleGraphs.leNet(seed: 3)
        let e = try emission(lenet, PassOptions(verifyEach: true, printAfter: [.checkAccumulators, .foldMaxPool, .planMemory, .selectKernels]))
        XCTAssertEqual(e.printedPasses.map(\.pass), [.checkAccumulators, .foldMaxPool, .planMemory, .selectKernels])
        let before = e.printedPasses[0].text, after = e.printedPasses[1].text
        XCTAssertTrue(before.contains("= max_pool(%1)"), before)
        XCTAssertFalse(after.contains("max_pool("), after)
        XCTAssertTrue(after.contains("max pool 'pool1' 2x2 folded"), after)
        XCTAssertTrue(after.contains("max pool 'pool2' 2x2 folded"), after)
        XCTAssertEqual(e.loweredGraph.nodes.count, lenet.nodes.count - 2)
        XCTAssertTrue(e.printedPasses[2].text.contains("arena + "), e.printedPasses[2].text)
        XCTAssertTrue(e.printedPasses[3].text.contains("conv1: conv2d_s8(input, arena + "), e.printedPasses[3].text)
        XCTAssertFalse(e.plan.kernels.contains("maxpool_s8"))
        // The pools keep their lines in the reports.
        XCTAssertEqual(e.manifest.layers.filter { $0.kernel == "fused" }.map(\.name), ["pool1", "pool2"])
    }

    /// The rewritten graph computes what the graph it came from computes, bit for bit, on random
    /// chains and residual graphs and the example LeNets (dense and sparse), and passes the verifier.
    func testRewritesKeepTheGraphsResults() throws {
        var folded = 0
        let examples = try SampleGraphs.exampleLeNets(dense: SampleGraphs.leNet(seed: 11), seed: 11).map(\.graph)
        let graphs = examples + (0..<150).map { $0 % 2 == 0 ? SampleGraphs.random(seed: UInt64($0)) : SampleGraphs.randomResidual(seed: UInt64($0)) }
        for (seed, graph) in graphs.enumerated() {
            let lowered = try emission(graph, PassOptions(verifyEach: true)).loweredGraph
            folded += graph.nodes.count - lowered.nodes.count
            let (original, rewritten) = (try ReferenceInterpreter(graph: graph), try ReferenceInterpreter(graph: lowered))
            var rng = SeededGenerator(seed: UInt64(seed))
            for _ in 0..<3 {
                let input = (0..<graph.inputTensor.byteCount).map { _ in rng.nextInt8() }
                XCTAssertEqual(original.run(input), rewritten.run(input), "seed \(seed)")
            }
        }
        XCTAssertGreaterThan(folded, 2 * examples.count, "pools folded: every LeNet's two, and some random ones")
    }

    /// Depthwise kernels have no pooled output stage: a pool after one stays a node.
    func testPoolAfterDepthwiseConvStays() throws {
        var b = QGraphBuilder(inputShape: TensorShape(height: 4, width: 4, channels: 2), inputQuant: QuantParams(scale: 0.1, zeroPoint: 0),
                              inputDescription: "test")
        let conv = try b.conv2d(b.input, name: "dw", weights: (0..<18).map { Int8($0 - 9) }, weightScales: [0.01, 0.02], bias: [1, 2],
                                outputChannels: 2, window: Window2D(kernel: 3, padding: 1), groups: 2,
                                output: QuantParams(scale: 0.05, zeroPoint: 1), activation: .none)
        let pool = try b.maxPool(conv, name: "pool", window: Window2D(kernel: 2, stride: 2))
        let e = try emission(try b.finish(output: pool), PassOptions(verifyEach: true))
        XCTAssertEqual(e.loweredGraph.nodes.count, 2)
        XCTAssertTrue(e.plan.kernels.contains("maxpool_s8"))
    }
}
