import WhittleIR
import XCTest

/// `Add`: TFLite's arithmetic on worked examples and against the real sum, the verifier's rules
/// for it, and residual graphs through the interpreter and the `.q` format.
final class AddTests: XCTestCase {
    private let zeros: (input1: Int32, input2: Int32, output: Int32) = (0, 0, 0)

    /// s1 = 0.5, s2 = 0.25, sy = 1: multipliers 1/2, 1/4 and 2^-20; 3·0.5 + 2·0.25 = 2.
    func testWorkedExample() {
        let add = Add(inputs: QuantParams(scale: 0.5, zeroPoint: 0), QuantParams(scale: 0.25, zeroPoint: 0),
                      output: QuantParams(scale: 1, zeroPoint: 0), clamp: .int8)
        XCTAssertEqual(add.input1, QuantizedMultiplier(multiplier: 1 << 30, shift: 0))
        XCTAssertEqual(add.input2, QuantizedMultiplier(multiplier: 1 << 30, shift: -1))
        XCTAssertEqual(add.output, QuantizedMultiplier(multiplier: 1 << 30, shift: -19))
        XCTAssertEqual(add.apply(3, 2, zeros: zeros), 2)
        // 1·0.5 + 1·0.25 = 0.75 rounds to 1; −0.75 rounds to −1 (ties and near-ties away from zero).
        XCTAssertEqual(add.apply(1, 1, zeros: zeros), 1)
        XCTAssertEqual(add.apply(-1, -1, zeros: zeros), -1)
        XCTAssertEqual(add.apply(127, 127, zeros: zeros), 95)
    }

    /// Over random scales and zero points, every sum is within one step of the real one (before
    /// the clamp), and the fused activation's bounds hold.
    func testSumsFollowTheRealArithmetic() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let q1 = QuantParams(scale: Double.random(in: 0.001...0.2, using: &rng), zeroPoint: Int32.random(in: -128...127, using: &rng))
            let q2 = QuantParams(scale: Double.random(in: 0.001...0.2, using: &rng), zeroPoint: Int32.random(in: -128...127, using: &rng))
            let qy = QuantParams(scale: (q1.scale + q2.scale) * Double.random(in: 0.5...2, using: &rng), zeroPoint: Int32.random(in: -128...127, using: &rng))
            let relu = ClampRange(.relu, output: qy)
            let add = Add(inputs: q1, q2, output: qy, clamp: .int8), clamped = Add(inputs: q1, q2, output: qy, clamp: relu)
            for _ in 0..<20 {
                let x1 = Int8.random(in: -128...127, using: &rng), x2 = Int8.random(in: -128...127, using: &rng)
                let real = (q1.dequantize(x1) + q2.dequantize(x2)) / qy.scale + Double(qy.zeroPoint)
                let z = (q1.zeroPoint, q2.zeroPoint, qy.zeroPoint)
                let y = add.apply(x1, x2, zeros: z)
                XCTAssertLessThanOrEqual(abs(Double(y) - max(-128, min(127, real))), 1.0 + 1e-9, "\(q1) \(q2) \(qy) \(x1) \(x2)")
                XCTAssertEqual(clamped.apply(x1, x2, zeros: z), Int8(relu.clamp(Int32(y))))
            }
        }
    }

    func testVerifierRules() throws {
        var graph = residual()
        try GraphVerifier.verify(graph)
        let n = graph.nodes.firstIndex { $0.name == "sum" }!
        guard case .add(var add) = graph.nodes[n].op else { return XCTFail() }
        add.input1.multiplier += 1
        graph.nodes[n].op = .add(add)
        assertBreaks(.requantizationMatchesScales, graph)

        graph = residual()
        graph.nodes[n].inputs = [graph.nodes[n].inputs[0]]
        assertBreaks(.tensorReference, graph)

        // An output scale 2^20 times finer than the inputs' makes the output multiplier 1 or more.
        graph = residual()
        graph.tensors[graph.nodes[n].output].quant.scale = 1e-9
        assertBreaks(.requantizationMatchesScales, graph)

        var b = QGraphBuilder(inputShape: TensorShape(height: 2, width: 2, channels: 3), inputQuant: QuantParams(scale: 0.1, zeroPoint: 0),
                              inputDescription: "test")
        let pooled = try b.maxPool(b.input, name: "pool", window: Window2D(kernel: 2, stride: 2))
        XCTAssertThrowsError(try b.add(b.input, pooled, name: "sum", output: QuantParams(scale: 0.2, zeroPoint: 0)))
    }

    /// A tensor read by two nodes and a node reading one tensor twice run as the formula says,
    /// and the graph survives the `.q` format bit for bit.
    func testResidualGraphRunsAndRoundTrips() throws {
        let graph = residual()
        let interpreter = try ReferenceInterpreter(graph: graph)
        let input: [Int8] = (0..<12).map { Int8($0 * 20 - 120) }
        let values = interpreter.runAll(input)
        let n = graph.nodes.firstIndex { $0.name == "sum" }!
        guard case .add(let add) = graph.nodes[n].op else { return XCTFail() }
        let (a, b) = (graph.nodes[n].inputs[0], graph.nodes[n].inputs[1])
        let z = (graph.tensors[a].quant.zeroPoint, graph.tensors[b].quant.zeroPoint, graph.tensors[graph.nodes[n].output].quant.zeroPoint)
        XCTAssertEqual(values[graph.nodes[n].output], zip(values[a], values[b]).map { add.apply($0, $1, zeros: z) })
        let doubled = graph.nodes.first { $0.name == "double" }!
        XCTAssertEqual(doubled.inputs[0], doubled.inputs[1])
        XCTAssertEqual(try QGraphFile.decode(QGraphFile.encode(graph), name: "residual.q"), graph)
        for seed in 0..<30 {
            let random = SampleGraphs.randomResidual(seed: UInt64(seed))
            XCTAssertEqual(try QGraphFile.decode(QGraphFile.encode(random), name: "random.q"), random)
        }
    }

    /// input → conv → sum(conv, input) → double(sum, sum): the input is read by the conv and the sum.
    private func residual() -> QGraph {
        var b = QGraphBuilder(inputShape: TensorShape(height: 2, width: 2, channels: 3), inputQuant: QuantParams(scale: 0.05, zeroPoint: -3),
                              inputDescription: "test")
        do {
            let conv = try b.conv2d(b.input, name: "conv", weights: (0..<81).map { Int8($0 % 11 - 5) }, weightScales: [0.01, 0.02, 0.03],
                                    bias: [10, -20, 30], outputChannels: 3, window: Window2D(kernel: 3, stride: 1, padding: 1),
                                    output: QuantParams(scale: 0.11, zeroPoint: 4), activation: .none)
            let sum = try b.add(conv, b.input, name: "sum", output: QuantParams(scale: 0.13, zeroPoint: -7), activation: .relu)
            let doubled = try b.add(sum, sum, name: "double", output: QuantParams(scale: 0.3, zeroPoint: 1))
            return try b.finish(output: doubled)
        } catch {
            preconditionFailure("\(error)")
        }
    }

    private func assertBreaks(_ rule: VerifierRule, _ graph: QGraph, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try GraphVerifier.verify(graph), file: file, line: line) { error in
            XCTAssertEqual((error as? GraphVerificationError)?.rule, rule, "\(error)", file: file, line: line)
        }
    }
}
