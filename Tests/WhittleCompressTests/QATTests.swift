import XCTest
import Foundation
import WhittleCompress
import WhittleNN
import WhittleTensor

final class QATTests: XCTestCase {
    func testGridMatchesLoweringArithmetic() {
        let grid = FakeQuantization.Grid(range: ObservedRange(min: -1, max: 1))
        XCTAssertEqual(grid.scale, 2.0 / 255, accuracy: 1e-15)
        XCTAssertEqual(grid.zeroPoint, -1)
        // A pixel of 200 normalised to [−1, 1] sits on a rounding tie: 72.5 steps above 0.
        let x = (Float(200) / 255 - 0.5) / 0.5
        XCTAssertEqual(grid.code(x), 72)  // round(72.5) = 73, minus 1 for the zero point
        XCTAssertEqual(grid.apply(1e6), Float(128 * grid.scale), accuracy: 1e-6) // saturates at 127
    }

    func testStraightThroughEstimatorPassesInsideAndStopsOutside() {
        let fq = FakeQuantize(initial: ObservedRange(min: 0, max: 2.55))
        fq.frozen = true
        let x = Tensor(shape: [1, 4], storage: [0.5, 1.004, 3, -1])
        let y = fq.forward(x, mode: .train)
        XCTAssertEqual(y.storage[0], 0.5, accuracy: 1e-6)
        XCTAssertEqual(y.storage[1], 1.0, accuracy: 1e-6)   // onto the 0.01 grid
        XCTAssertEqual(y.storage[2], 2.55, accuracy: 1e-6)  // clipped
        XCTAssertEqual(y.storage[3], 0, accuracy: 1e-6)
        let g = fq.backward(Tensor(shape: [1, 4], repeating: 1))
        XCTAssertEqual(g.storage, [1, 1, 0, 0])
    }

    func testObserversMoveUntilFrozen() {
        let fq = FakeQuantize(averagingConstant: 0.5, initial: ObservedRange(min: 0, max: 1))
        _ = fq.forward(Tensor(shape: [1, 2], storage: [0, 3]), mode: .train)
        XCTAssertEqual(fq.range!.max, 2, accuracy: 1e-6)
        fq.frozen = true
        _ = fq.forward(Tensor(shape: [1, 2], storage: [0, 9]), mode: .train)
        XCTAssertEqual(fq.range!.max, 2, accuracy: 1e-6)
        _ = fq.forward(Tensor(shape: [1, 2], storage: [0, 9]), mode: .eval)
        XCTAssertEqual(fq.range!.max, 2, accuracy: 1e-6)
    }

    /// 64 random [2, 6, 6] images in 0…255 for `convBN`, four classes in turn.
    static func randomImages(seed: UInt64) -> Dataset {
        var rng = RNG(seed: seed)
        let n = 64
        return Dataset(name: "r", sampleShape: [2, 6, 6], values: .floats((0..<(n * 72)).map { _ in rng.uniform(0, 255) }),
                       labels: (0..<n).map { Int32($0 % 4) }, classes: 4)
    }

    static func convBN() throws -> Graph {
        let spec = try Spec.parse(Data(#"{"name": "m", "input": [2, 6, 6], "layers": [{"name": "c", "type": "conv2d", "out_channels": 3, "kernel": 3}, {"name": "bn", "type": "batchnorm2d"}, {"name": "r", "type": "relu"}, {"type": "flatten"}, {"name": "fc", "type": "linear", "out_features": 4}]}"#.utf8), file: "m.json")
        let g = try spec.buildGraph(seed: 2)
        var rng = RNG(seed: 4)
        for _ in 0..<3 { g.forward(Tensor(shape: [8, 2, 6, 6], storage: (0..<576).map { _ in rng.uniform(-1, 1) }), mode: .train) }
        return g
    }

    /// In evaluation (and with BatchNorm frozen) the folded layer computes conv with the
    /// fake-quantized folded weights plus the folded bias — what the integer kernel computes.
    func testFoldedLayerEqualsFoldedConvWithQuantizedWeights() throws {
        let g = try Self.convBN()
        let conv = g.nodes[0].layer as! Conv2d, bn = g.nodes[1].layer as! BatchNorm
        let layer = FoldedQuantizedLayer(base: conv, batchNorm: bn)
        var rng = RNG(seed: 5)
        let x = Tensor(shape: [2, 2, 6, 6], storage: (0..<144).map { _ in rng.uniform(-1, 1) })
        let got = layer.forward(x, mode: .eval)
        let (s, t) = bn.evalAffine
        var w = conv.weight.value
        for c in 0..<3 { for j in 0..<18 { w.storage[c * 18 + j] *= s[c] } }
        FakeQuantization.symmetricPerChannel(&w)
        var check = RNG(seed: 0)
        let plain = Conv2d(inChannels: 2, outChannels: 3, kernel: (3, 3), rng: &check)
        plain.weight.value = w
        plain.bias!.value = Tensor(shape: [3], storage: (0..<3).map { conv.bias!.value.storage[$0] * s[$0] + t[$0] })
        let expected = plain.forward(x, mode: .eval)
        for i in 0..<got.count { XCTAssertEqual(got.storage[i], expected.storage[i], accuracy: 1e-5) }
    }

    /// Training-mode forward with live BatchNorm uses batch statistics of conv(x, Wq)/s + b, and
    /// the gradient reaching the master weights is the quantized conv's gradient scaled by s.
    func testFoldedLayerGradientsFlowToWeightsBiasAndBatchNorm() throws {
        let g = try Self.convBN()
        let conv = g.nodes[0].layer as! Conv2d, bn = g.nodes[1].layer as! BatchNorm
        let layer = FoldedQuantizedLayer(base: conv, batchNorm: bn)
        var rng = RNG(seed: 6)
        let x = Tensor(shape: [4, 2, 6, 6], storage: (0..<288).map { _ in rng.uniform(-1, 1) })
        for (_, p) in layer.parameters { p.zeroGrad() }
        let y = layer.forward(x, mode: .train)
        XCTAssertEqual(y.shape, [4, 3, 4, 4])
        // Batch-normalised output: per channel mean ≈ β (0) and variance ≈ γ² (1).
        for c in 0..<3 {
            var vals: [Float] = []
            for n in 0..<4 { vals += y.storage[(n * 3 + c) * 16..<((n * 3 + c) + 1) * 16] }
            XCTAssertEqual(vals.reduce(0, +) / Float(vals.count), 0, accuracy: 1e-4)
        }
        _ = layer.backward(Tensor(shape: y.shape, storage: (0..<y.count).map { _ in rng.uniform(-1, 1) }))
        XCTAssertGreaterThan(conv.weight.grad.storage.map(abs).max()!, 0)
        XCTAssertGreaterThan(bn.weight.grad.storage.map(abs).max()!, 0)
        // With live BatchNorm the conv bias cancels in the batch mean: its gradient is ~0.
        XCTAssertEqual(conv.bias!.grad.storage.map(abs).max()!, 0, accuracy: 1e-4)
    }

    /// A QAT model rewrites the float graph and trains; its learned ranges cover every fused output.
    func testQATModelTrainsAndExposesRanges() throws {
        let g = try Self.convBN()
        let data = Self.randomImages(seed: 7)
        var settings = QuantizeSpec()
        settings.calibration = 32
        var qat = QATSpec(epochs: 2, learningRate: 0.01)
        qat.train.batchSize = 16
        qat.freezeBatchNormAfter = 1
        let model = try QuantizationAwareTraining.run(g, settings: settings, qat: qat, train: data)
        XCTAssertEqual(model.graph.nodes.map(\.name), ["input.fq", "c", "r", "r.fq", "flatten3", "fc", "fc.fq"])
        XCTAssertTrue(model.folded.allSatisfy(\.batchNormFrozen))
        XCTAssertEqual(Set(model.ranges.outputs.keys), ["r", "fc"])
        XCTAssertGreaterThanOrEqual(model.ranges.outputs["r"]!.min, 0)
    }

    /// By default BatchNorm trains on batch statistics in every QAT epoch (its running
    /// statistics move in all of them) and is frozen once training ends; `freeze_bn_after`
    /// stops it earlier.
    func testBatchNormStaysLiveThroughQATUnlessAskedToFreeze() throws {
        let data = Self.randomImages(seed: 9)
        var settings = QuantizeSpec()
        settings.calibration = 32
        func batchesTracked(freezeAfter: Int?) throws -> (Float, Bool) {
            let g = try Self.convBN()
            let bn = g.nodes[1].layer as! BatchNorm
            let before = bn.batchesTracked
            var qat = QATSpec(epochs: 2, learningRate: 0.01)
            qat.train.batchSize = 16
            qat.freezeBatchNormAfter = freezeAfter
            let model = try QuantizationAwareTraining.run(g, settings: settings, qat: qat, train: data)
            return (bn.batchesTracked - before, model.folded.allSatisfy(\.batchNormFrozen))
        }
        XCTAssertNil(QATSpec(epochs: 2).freezeBatchNormAfter)
        let (live, liveFrozenAtEnd) = try batchesTracked(freezeAfter: nil)
        XCTAssertEqual(live, 8, "4 batches in each of 2 epochs")
        XCTAssertTrue(liveFrozenAtEnd)
        XCTAssertEqual(try batchesTracked(freezeAfter: 1).0, 4, "frozen after the first epoch")
    }
}
