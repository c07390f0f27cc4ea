import XCTest
import WhittleNN
import WhittleTensor

/// Training runs BatchNorm → ReLU/ReLU6 and add → ReLU as one pass each (TrainingFusion.swift).
/// The graph runs them layer by layer for nodes in `keptActivations`, so the two schedules of
/// one model are compared bit for bit: outputs, every parameter gradient, running statistics.
final class TrainingFusionTests: XCTestCase {
    /// A residual block: conv → bn1 → ReLU6, conv → bn2, add(bn2, ReLU6) → ReLU, conv → bn3 →
    /// ReLU. bn1's γ is large, so some of its outputs pass 6 and the clamp's upper bound counts
    /// too; bn3's output is also read by the last node, so it cannot fuse.
    private func residualBlock() throws -> Graph {
        var rng = RNG(seed: 31)
        let g = Graph(inputShape: [3, 9, 10])
        func conv(_ inC: Int, _ outC: Int) -> Graph.Op {
            .layer(Conv2d(inChannels: inC, outChannels: outC, kernel: (3, 3), padding: Padding2D(1, 1), bias: false, rng: &rng))
        }
        func batchNorm(_ channels: Int, gamma: Float) -> Graph.Op {
            let bn = BatchNorm(channels: channels, spatial: true)
            bn.weight.value = Tensor(shape: [channels], storage: (0..<channels).map { _ in rng.uniform(-gamma, gamma) })
            bn.bias.value = Tensor(shape: [channels], storage: (0..<channels).map { _ in rng.uniform(-1, 1) })
            return .layer(bn)
        }
        try g.append("conv1", conv(3, 4))
        try g.append("bn1", batchNorm(4, gamma: 8))
        try g.append("relu1", .layer(ClampActivation.relu6()))
        try g.append("conv2", conv(4, 4))
        try g.append("bn2", batchNorm(4, gamma: 2))
        try g.append("add", .add, inputs: [4, 2])
        try g.append("relu2", .layer(ClampActivation.relu()))
        try g.append("conv3", conv(4, 4))
        try g.append("bn3", batchNorm(4, gamma: 2))
        try g.append("relu3", .layer(ClampActivation.relu()))
        try g.append("out", .add, inputs: [9, 8])
        return g
    }

    private struct Step {
        var output: Tensor
        var gradients: [Tensor]
        var buffers: [Tensor]
        var activations: [Tensor]
    }

    /// Two training steps (forward, backward) on the same batch; `kept` runs those nodes alone.
    private func train(keeping kept: Set<Int>) throws -> Step {
        let g = try residualBlock()
        g.keptActivations = kept
        var rng = RNG(seed: 7)
        let x = Tensor(shape: [5, 3, 9, 10], storage: (0..<1350).map { _ in rng.uniform(-2, 2) })
        let dy = Tensor(shape: [5, 4, 9, 10], storage: (0..<1800).map { _ in rng.uniform(-1, 1) })
        var y = Tensor(shape: [0])
        for _ in 0..<2 {
            g.zeroGrad()
            y = g.forward(x, mode: .train)
            g.backward(dy)
        }
        return Step(output: y, gradients: g.namedParameters.map(\.parameter.grad), buffers: g.namedBuffers.map(\.tensor),
                    activations: g.activations)
    }

    func testFusedTrainingStepMatchesTheLayersOneByOne() throws {
        let fused = try train(keeping: []), separate = try train(keeping: [1, 5])
        // Fused: bn1 and add are not kept (relu1 and relu2 computed them); bn3 has two readers.
        XCTAssertEqual(fused.activations[1].count, 0)
        XCTAssertEqual(fused.activations[5].count, 0)
        XCTAssertEqual(fused.activations[8].count, 5 * 4 * 9 * 10)
        XCTAssertEqual(separate.activations[1].count, 5 * 4 * 9 * 10)
        XCTAssertEqual(separate.activations[5].count, 5 * 4 * 9 * 10)

        // Both bounds of the clamps are reached, so the fused gradient masks do some work.
        let relu6 = separate.activations[2].storage
        XCTAssertTrue(relu6.contains(0) && relu6.contains(6) && relu6.contains { $0 > 0 && $0 < 6 })
        XCTAssertTrue(separate.activations[6].storage.contains(0))

        XCTAssertEqual(fused.output, separate.output)
        XCTAssertEqual(fused.gradients.count, separate.gradients.count)
        for (k, (a, b)) in zip(fused.gradients, separate.gradients).enumerated() {
            XCTAssertEqual(a, b, "gradient \(k)")
            XCTAssertTrue(a.storage.contains { $0 != 0 }, "gradient \(k) is not all zero")
        }
        XCTAssertEqual(fused.buffers, separate.buffers)
    }

    /// BatchNorm1d after a linear layer fuses the same way (planes of one value).
    func testBatchNorm1dFusesBitForBit() throws {
        func step(keeping kept: Set<Int>) throws -> (Tensor, [Tensor]) {
            var rng = RNG(seed: 12)
            let g = Graph(inputShape: [6])
            try g.append("fc", .layer(Linear(inFeatures: 6, outFeatures: 5, rng: &rng)))
            try g.append("bn", .layer(BatchNorm(channels: 5, spatial: false)))
            try g.append("relu", .layer(ClampActivation.relu()))
            try g.append("out", .layer(Linear(inFeatures: 5, outFeatures: 3, rng: &rng)))
            g.keptActivations = kept
            let x = Tensor(shape: [7, 6], storage: (0..<42).map { _ in rng.uniform(-1, 1) })
            g.zeroGrad()
            let y = g.forward(x, mode: .train)
            g.backward(Tensor(shape: [7, 3], storage: (0..<21).map { _ in rng.uniform(-1, 1) }))
            XCTAssertEqual(g.activations[1].count, kept.isEmpty ? 0 : 35)
            return (y, g.namedParameters.map(\.parameter.grad))
        }
        let fused = try step(keeping: []), separate = try step(keeping: [1])
        XCTAssertEqual(fused.0, separate.0)
        XCTAssertEqual(fused.1, separate.1)
    }

    /// Evaluation keeps every node's output (calibration observes them all).
    func testEvaluationKeepsEveryActivation() throws {
        let g = try residualBlock()
        _ = g.forward(Tensor(shape: [2, 3, 9, 10], repeating: 0.5), mode: .eval)
        XCTAssertTrue(g.activations.allSatisfy { $0.count == 2 * 4 * 9 * 10 })
    }
}
