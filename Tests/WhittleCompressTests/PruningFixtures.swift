import Foundation
import WhittleCompress
import WhittleNN
import WhittleTensor

/// Small graphs with hand-set weights, and a small synthetic-data spec, for the pruning tests.
enum PruningFixtures {
    static func spec(_ json: String, file: String = "test.json") throws -> Spec {
        try Spec.parse(Data(json.utf8), file: file)
    }

    /// One linear layer [out, in] with the given weights (row-major) and zero bias.
    static func linear(_ weights: [Float], out: Int, bias: [Float]? = nil) throws -> Graph {
        let inF = weights.count / out
        var rng = RNG(seed: 1)
        let fc = Linear(inFeatures: inF, outFeatures: out, rng: &rng)
        fc.weight.value = Tensor(shape: [out, inF], storage: weights)
        fc.bias!.value = Tensor(shape: [out], storage: bias ?? [Float](repeating: 0, count: out))
        let g = Graph(inputShape: [inF])
        try g.append("fc", .layer(fc))
        return g
    }

    /// One conv2d layer [out, in, k, k] with the given weights.
    static func conv(_ weights: [Float], out: Int, in inC: Int, kernel k: Int, inputSide: Int = 6) throws -> Graph {
        var rng = RNG(seed: 1)
        let c = Conv2d(inChannels: inC, outChannels: out, kernel: (k, k), rng: &rng)
        c.weight.value = Tensor(shape: [out, inC, k, k], storage: weights)
        let g = Graph(inputShape: [inC, inputSide, inputSide])
        try g.append("conv", .layer(c))
        return g
    }

    /// conv → bn → relu → maxpool → conv → bn → relu → maxpool → flatten → fc → relu → fc, on 14×14 images.
    static let smallConvNet = """
    {"name": "small", "input": [1, 14, 14],
     "layers": [
       {"name": "conv1", "type": "conv2d", "out_channels": 6, "kernel": 3},
       {"name": "bn1", "type": "batchnorm2d"},
       {"name": "relu1", "type": "relu"},
       {"name": "pool1", "type": "maxpool2d", "kernel": 2},
       {"name": "conv2", "type": "conv2d", "out_channels": 8, "kernel": 3},
       {"name": "bn2", "type": "batchnorm2d"},
       {"name": "relu2", "type": "relu"},
       {"name": "pool2", "type": "maxpool2d", "kernel": 2},
       {"name": "flatten", "type": "flatten"},
       {"name": "fc1", "type": "linear", "out_features": 12},
       {"name": "relu3", "type": "relu"},
       {"name": "fc2", "type": "linear", "out_features": 10}
     ]}
    """

    /// A graph of `smallConvNet` with BatchNorm statistics that are not the identity.
    static func smallConvGraph(seed: UInt64 = 5) throws -> Graph {
        try withBatchNormStatistics(spec(smallConvNet).buildGraph(seed: seed), seed: seed)
    }

    /// Sets every BatchNorm's γ, β and running statistics to seeded values away from the identity.
    static func withBatchNormStatistics(_ g: Graph, seed: UInt64) -> Graph {
        var rng = RNG(seed: seed).derived("bn")
        for node in g.nodes {
            guard let bn = node.layer as? BatchNorm else { continue }
            bn.weight.value = Tensor(shape: [bn.channels], storage: (0..<bn.channels).map { _ in rng.uniform(0.5, 1.5) })
            bn.bias.value = Tensor(shape: [bn.channels], storage: (0..<bn.channels).map { _ in rng.uniform(-0.2, 0.2) })
            bn.setBuffer("running_mean", Tensor(shape: [bn.channels], storage: (0..<bn.channels).map { _ in rng.uniform(-0.3, 0.3) }))
            bn.setBuffer("running_var", Tensor(shape: [bn.channels], storage: (0..<bn.channels).map { _ in rng.uniform(0.5, 2) }))
        }
        return g
    }

    /// A random batch of images for `graph`'s input.
    static func batch(for graph: Graph, count: Int = 4, seed: UInt64 = 9) -> Tensor {
        var rng = RNG(seed: seed)
        let shape = [count] + graph.inputShape
        return Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in rng.uniform(-1, 1) })
    }

    /// Synthetic digits, downsampled views are not needed: the MLP reads the 28×28 images.
    static func digits(_ count: Int, seed: UInt64 = 2026) -> Dataset {
        SyntheticDigits.generate(count: count, seed: seed)
    }

    static let tinyMLPLayers = """
    [{"type": "flatten"}, {"name": "fc1", "type": "linear", "out_features": 24}, {"type": "relu"},
     {"name": "fc2", "type": "linear", "out_features": 10}]
    """

    static let tinyMLP = """
    {"name": "mlp", "input": [1, 28, 28], "layers": \(tinyMLPLayers),
     "train": {"epochs": 1, "batch_size": 50, "seed": 1, "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9, "weight_decay": 0.001}}}
    """

    static func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.storage, b.storage).map { abs($0 - $1) }.max() ?? 0
    }
}
