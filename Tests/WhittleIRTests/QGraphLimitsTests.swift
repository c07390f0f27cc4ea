import Foundation
import WhittleIR
import XCTest

/// Crafted `.q` files with a valid checksum, one per size a file can claim: each used to trap
/// (integer overflow, a failed precondition) or allocate gigabytes, and must now end in one
/// line naming the tensor, node or set, the value and the limit.
final class QGraphLimitsTests: XCTestCase {
    private let quant = QuantParams(scale: 0.05, zeroPoint: 0)

    private func tensor(_ name: String, _ h: Int, _ w: Int, _ c: Int) -> QTensor {
        QTensor(name: name, shape: TensorShape(height: h, width: w, channels: c), quant: quant)
    }

    /// `input → op → output`.
    private func graph(_ input: QTensor, _ op: QOp, _ output: QTensor, validation: ValidationSet? = nil) -> QGraph {
        QGraph(tensors: [input, output], nodes: [QNode(name: "layer", op: op, inputs: [0], output: 1)],
               input: 0, output: 1, inputDescription: "crafted", validation: validation)
    }

    /// A conv whose per-channel tables are consistent for `outputs` channels (weights empty:
    /// the size check comes first).
    private func conv(_ window: Window2D, outputs: Int = 1) -> QOp {
        .conv2d(Conv2D(window: window, groups: 1, weights: .dense([]), weightScales: Array(repeating: 0.01, count: outputs),
                       bias: Array(repeating: 0, count: outputs),
                       requantization: Array(repeating: QuantizedMultiplier(real: 0.01), count: outputs), clamp: .int8))
    }

    /// Encodes (so the checksum is valid), decodes, and expects one `size-limit` line with `words`.
    private func assertSizeLimit(_ graph: QGraph, mentioning words: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try GraphVerifier.verify(graph), file: file, line: line) { error in
            XCTAssertEqual((error as? GraphVerificationError)?.rule, .sizeLimit, "\(error)", file: file, line: line)
        }
        assertRejected(QGraphFile.encode(graph), mentioning: ["breaks rule size-limit"] + words, file: file, line: line)
    }

    /// The 168-byte file that made `whittle emit` allocate 8.6 GB: a 16384x16384x2 input pooled
    /// down to 1x1x2, which then asked for 16 random test vectors of 512 MiB each.
    func testHugeInputShape() {
        let huge = graph(tensor("image", 16384, 16384, 2), .maxPool(Pool2D(window: Window2D(kernel: 16384, stride: 16384))),
                         tensor("pooled", 1, 1, 2))
        XCTAssertLessThan(QGraphFile.encode(huge).count, 240)
        assertSizeLimit(huge, mentioning: ["tensor 'image'", "16384x16384x2", "536870912 elements", "limit of 16777216"])
    }

    /// Dimensions the decoder allows (up to 2^30) whose product overflows `Int`: used to trap in
    /// `TensorShape.elementCount` under the fully connected and reshape checks.
    func testTensorDimensionAndElementOverflow() {
        let fc = graph(tensor("wide", 1 << 30, 1 << 30, 1 << 30), .reshape, tensor("flat", 1, 1, 1))
        assertSizeLimit(fc, mentioning: ["tensor 'wide'", "dimension of 1073741824", "limit of 16777216"])
        let max = QGraphLimits.maxDimension
        let overflow = graph(tensor("cube", max, max, max), .reshape, tensor("flat", 1, 1, 1))
        assertSizeLimit(overflow, mentioning: ["tensor 'cube'", "more than 2^63 elements", "limit of 16777216"])
        XCTAssertEqual(TensorShape(height: max, width: max, channels: max).elementCount, Int.max)
    }

    func testAllTensorsTogether() {
        let side = 4096 // 2^24 elements each, the most one tensor may have
        var big = graph(tensor("t0", side, side, 1), .reshape, tensor("t1", side, side, 1))
        big.tensors += (2..<5).map { tensor("t\($0)", side, side, 1) }
        assertSizeLimit(big, mentioning: ["tensor 't4'", "83886080 elements", "limit of 67108864"])
    }

    func testTensorAndNodeCounts() {
        var tensors = graph(tensor("in", 1, 1, 1), .reshape, tensor("out", 1, 1, 1))
        tensors.tensors += (0..<QGraphLimits.maxTensors).map { tensor("extra\($0)", 1, 1, 1) }
        assertSizeLimit(tensors, mentioning: ["graph breaks", "4098 tensors", "limit of 4096"])
        var nodes = graph(tensor("in", 1, 1, 1), .reshape, tensor("out", 1, 1, 1))
        nodes.nodes = Array(repeating: nodes.nodes[0], count: QGraphLimits.maxNodes + 1)
        assertSizeLimit(nodes, mentioning: ["graph breaks", "4097 nodes", "limit of 4096"])
    }

    /// `kernel h · kernel w · channels`, the weights per filter: used to trap in the verifier
    /// (kernels up to 2^30 passed the decoder). A kernel may exceed its input when padded.
    func testConvWeightsPerFilter() {
        let max = QGraphLimits.maxDimension
        let window = Window2D(kernel: max, stride: max, padding: max - 1)
        let overflow = graph(tensor("in", 1, 1, max), conv(window), tensor("out", 1, 1, 1))
        assertSizeLimit(overflow, mentioning: ["node 'layer' (conv2d)", "1 outputs × 16777216 × 16777216 × 16777216",
                                               "more than 2^63 weights", "limit of 16777216"])
        let large = graph(tensor("in", 1, 1, 1), conv(Window2D(kernel: 4096, stride: 4096, padding: 4095), outputs: 2), tensor("out", 1, 1, 2))
        assertSizeLimit(large, mentioning: ["node 'layer' (conv2d)", "2 outputs × 4096 × 4096 × 1 is 33554432 weights", "limit of 16777216"])
    }

    /// `outputs · perOutput` of a fully connected layer: used to trap for shapes past 2^31 elements.
    func testFullyConnectedWeights() {
        let fc = QOp.fullyConnected(FullyConnected(weights: .dense([]), weightScales: [], bias: [], requantization: [], clamp: .int8))
        let wide = graph(tensor("in", 1, 1, 1 << 24), fc, tensor("out", 1, 1, 1 << 24))
        assertSizeLimit(wide, mentioning: ["node 'layer' (fully_connected)", "16777216 outputs × 16777216", "281474976710656 weights",
                                           "limit of 16777216"])
    }

    /// An all-zero index-sparse layer costs a count byte per output whatever its width, so a
    /// 430 kB file can claim layers the reference interpreter would decode to 80 MB (and a file of
    /// 4,096 such layers to 64 GB).
    func testAllLayersTogether() {
        let width = 4096 // 2^24 weights per layer, the most one layer may have
        let fc = QOp.fullyConnected(FullyConnected(
            weights: .indexSparse(IndexSparseWeights(outputs: width, perOutput: width, values: [], gaps: [],
                                                     counts: Array(repeating: 0, count: width))),
            weightScales: Array(repeating: 0.01, count: width), bias: Array(repeating: 0, count: width),
            requantization: Array(repeating: QuantizedMultiplier(real: 0.05 * 0.01 / 0.05), count: width), clamp: .int8))
        let tensors = (0...5).map { tensor("t\($0)", 1, 1, width) }
        let nodes = (0..<5).map { QNode(name: "fc\($0)", op: fc, inputs: [$0], output: $0 + 1) }
        let graph = QGraph(tensors: tensors, nodes: nodes, input: 0, output: 5, inputDescription: "crafted")
        XCTAssertLessThan(QGraphFile.encode(graph).count, 500_000)
        assertSizeLimit(graph, mentioning: ["node 'fc4' (fully_connected)", "83886080 weights", "limit of 67108864"])
    }

    func testWindowFields() {
        let pool = QOp.maxPool(Pool2D(window: Window2D(kernelHeight: 1, kernelWidth: 1, strideHeight: 1 << 30, strideWidth: 1)))
        assertSizeLimit(graph(tensor("in", 1, 1, 1), pool, tensor("out", 1, 1, 1)),
                        mentioning: ["node 'layer' (max_pool)", "stride height 1073741824", "limit of 16777216"])
    }

    /// A padded pool on a 1x1 input: 2048x2048 taps for each of 2048x2048 outputs, no weights
    /// at all, would keep the reference interpreter busy for hours.
    func testWorkPerInference() {
        let pool = QOp.maxPool(Pool2D(window: Window2D(kernel: 2048, stride: 1, padding: 2047)))
        assertSizeLimit(graph(tensor("in", 1, 1, 1), pool, tensor("out", 2048, 2048, 1)),
                        mentioning: ["node 'layer' (max_pool)", "runs 17592186044416 multiply-accumulates", "limit of 1073741824"])
    }

    /// `count · input size`: used to trap for a count of 2^30 and a large input.
    func testValidationSet() {
        let pool = QOp.maxPool(Pool2D(window: Window2D(kernel: 1)))
        let many = graph(tensor("in", 1, 1, 1), pool, tensor("out", 1, 1, 1), validation: ValidationSet(count: 1 << 30, inputs: []))
        assertSizeLimit(many, mentioning: ["validation set breaks", "1073741824 inputs", "limit of 65536"])
        let large = graph(tensor("in", 1024, 1024, 4), pool, tensor("out", 1024, 1024, 4), validation: ValidationSet(count: 40, inputs: []))
        assertSizeLimit(large, mentioning: ["validation set breaks", "40 inputs × 8388608", "335544320 bytes", "limit of 268435456"])
    }

    /// 2,047 reshapes in a chain and 2,048 fully connected layers reading its end: each layer
    /// used to search every node for every reshape it followed, and this 383 kB file took minutes.
    func testLongReshapeChainVerifiesInLinearTime() throws {
        var tensors = [tensor("t0", 1, 1, 1)]
        var nodes: [QNode] = []
        for i in 1..<2048 {
            tensors.append(tensor("t\(i)", 1, 1, 1))
            nodes.append(QNode(name: "reshape\(i)", op: .reshape, inputs: [i - 1], output: i))
        }
        let fc = FullyConnected(weights: .dense([1]), weightScales: [0.01], bias: [0],
                                requantization: [QuantizedMultiplier(real: 0.01)], clamp: .int8)
        for j in 0..<2048 {
            tensors.append(tensor("fc\(j)", 1, 1, 1))
            nodes.append(QNode(name: "fc\(j)", op: .fullyConnected(fc), inputs: [2047], output: tensors.count - 1))
        }
        let graph = QGraph(tensors: tensors, nodes: nodes, input: 0, output: tensors.count - 1, inputDescription: "crafted")
        let start = Date()
        XCTAssertEqual(try QGraphFile.decode(QGraphFile.encode(graph), name: "model.q"), graph)
        XCTAssertLessThan(Date().timeIntervalSince(start), 60, "a linear walk takes about a second in a debug build")
    }

    /// Finite scales whose quotient s_in · s_w / s_out overflows to infinity: used to fail the
    /// precondition of `QuantizedMultiplier(real:)`. A tensor scale must also print as a float.
    func testScalesOverflowingTheMultiplier() {
        var graph = SampleGraphs.leNet(seed: 2)
        graph.tensors[graph.input].quant.scale = 1e300
        assertRejected(QGraphFile.encode(graph), mentioning: ["tensor 'input' breaks rule quant-params", "normal float32"])
        graph.tensors[graph.input].quant.scale = 1e38
        guard case .conv2d(var conv) = graph.nodes[0].op else { return XCTFail("LeNet starts with a conv") }
        conv.weightScales[0] = 1e300
        graph.nodes[0].op = .conv2d(conv)
        XCTAssertThrowsError(try GraphVerifier.verify(graph)) { error in
            XCTAssertEqual((error as? GraphVerificationError)?.rule, .weightScale, "\(error)")
        }
        assertRejected(QGraphFile.encode(graph), mentioning: ["node 'conv1' (conv2d) breaks rule weight-scale", "channel 0", "inf"])
    }
}
