import WhittleIR
import XCTest

/// Each rule, broken once on an otherwise valid graph: the error names the node and the rule.
final class GraphVerifierTests: XCTestCase {
    private func leNet() -> QGraph { SampleGraphs.leNet(seed: 2, validationCount: 3) }

    private func assertBreaks(_ rule: VerifierRule, naming location: String, _ graph: QGraph,
                              file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try GraphVerifier.verify(graph), file: file, line: line) { error in
            guard let e = error as? GraphVerificationError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(e.rule, rule, e.description, file: file, line: line)
            XCTAssertTrue(e.description.contains(location), e.description, file: file, line: line)
            XCTAssertTrue(e.description.contains(rule.rawValue), e.description, file: file, line: line)
            XCTAssertFalse(e.description.contains("\n"), file: file, line: line)
        }
    }

    /// Applies `change` to the conv named `name`.
    private func editingConv(_ name: String, _ change: (inout Conv2D) -> Void) -> QGraph {
        var graph = leNet()
        let i = graph.nodes.firstIndex { $0.name == name }!
        guard case .conv2d(var conv) = graph.nodes[i].op else { preconditionFailure() }
        change(&conv)
        graph.nodes[i].op = .conv2d(conv)
        return graph
    }

    func testSampleGraphsPass() throws {
        try GraphVerifier.verify(leNet())
        for seed in 0..<50 { try GraphVerifier.verify(SampleGraphs.random(seed: UInt64(seed))) }
    }

    func testWeightRange() {
        assertBreaks(.weightRange, naming: "'conv1'", editingConv("conv1") { conv in
            var w = conv.weights.denseValues
            w[3] = -128
            conv.weights = .dense(w)
        })
    }

    func testMultiplierAndShiftRanges() {
        assertBreaks(.multiplierRange, naming: "'conv2'", editingConv("conv2") { $0.requantization[1].multiplier = 12345 })
        assertBreaks(.shiftRange, naming: "'conv2'", editingConv("conv2") { $0.requantization[0].shift = 31 })
        assertBreaks(.requantizationMatchesScales, naming: "'conv2'", editingConv("conv2") { $0.requantization[2].multiplier += 1 })
    }

    func testClampAndCounts() {
        assertBreaks(.clampRange, naming: "'conv1'", editingConv("conv1") { $0.clamp = ClampRange(min: 10, max: 5) })
        assertBreaks(.clampRange, naming: "'conv1'", editingConv("conv1") { $0.clamp = ClampRange(min: -129, max: 5) })
        assertBreaks(.perChannelCount, naming: "'conv1'", editingConv("conv1") { $0.bias.removeLast() })
        assertBreaks(.weightCount, naming: "'conv1'", editingConv("conv1") { $0.weights = .dense(Array($0.weights.denseValues.dropLast())) })
        assertBreaks(.groups, naming: "'conv2'", editingConv("conv2") { $0.groups = 4 })
    }

    func testShapes() {
        var graph = leNet()
        graph.tensors[1].shape.width = 23
        assertBreaks(.outputShape, naming: "'conv1'", graph)

        graph = leNet()
        graph.tensors[5].shape = TensorShape(vector: 255)
        assertBreaks(.elementCount, naming: "'flatten'", graph)

        graph = leNet()
        graph.tensors[2].quant.zeroPoint += 1
        assertBreaks(.keepsQuantization, naming: "'pool1'", graph)

        graph = leNet()
        graph.tensors[3].quant.scale = .nan
        assertBreaks(.quantParams, naming: "'conv2'", graph)
    }

    func testOrder() {
        var graph = leNet()
        graph.nodes.swapAt(0, 1)
        assertBreaks(.topologicalOrder, naming: "'pool1'", graph)
        graph = leNet()
        graph.nodes[2].inputs = [99]
        assertBreaks(.tensorReference, naming: "'conv2'", graph)
    }

    func testValidationSetSizes() {
        var graph = leNet()
        graph.validation!.labels = [1, 2]
        assertBreaks(.validationSet, naming: "validation set", graph)
        graph = leNet()
        graph.validation!.floatLogits = [Float](repeating: .infinity, count: 30)
        assertBreaks(.validationSet, naming: "validation set", graph)
    }
}
