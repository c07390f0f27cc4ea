import WhittleNN

/// A ResNet-8-like and a DS-CNN-like net on 28×28 images, small enough for fast tests.
enum GraphNetFixtures {
    /// stem conv-BN-ReLU; three stages of [conv3×3-BN-ReLU-conv3×3-BN + add + ReLU], stages 2
    /// and 3 with stride 2 and a 1×1 stride-2 skip conv + BN; GAP; flatten; linear.
    static func resnet8(widths: (Int, Int, Int) = (4, 8, 12)) -> String {
        func stage(_ s: Int, _ width: Int, from input: String, strided: Bool) -> String {
            let stride = strided ? #", "stride": 2"# : ""
            let skip = strided ? """
              {"name": "s\(s)skip", "type": "conv2d", "out_channels": \(width), "kernel": 1\(stride), "inputs": ["\(input)"]},
              {"name": "s\(s)skipbn", "type": "batchnorm2d"},
            """ : ""
            return """
              {"name": "s\(s)c1", "type": "conv2d", "out_channels": \(width), "kernel": 3, "padding": 1\(stride), "inputs": ["\(input)"]},
              {"name": "s\(s)b1", "type": "batchnorm2d"}, {"name": "s\(s)r1", "type": "relu"},
              {"name": "s\(s)c2", "type": "conv2d", "out_channels": \(width), "kernel": 3, "padding": 1},
              {"name": "s\(s)b2", "type": "batchnorm2d"},
            \(skip)
              {"name": "s\(s)add", "type": "add", "inputs": ["s\(s)b2", "\(strided ? "s\(s)skipbn" : input)"]},
              {"name": "s\(s)relu", "type": "relu"},
            """
        }
        return """
        [{"name": "stem", "type": "conv2d", "out_channels": \(widths.0), "kernel": 3, "padding": 1, "stride": 2},
         {"name": "stembn", "type": "batchnorm2d"}, {"name": "stemrelu", "type": "relu"},
        \(stage(1, widths.0, from: "stemrelu", strided: false))
        \(stage(2, widths.1, from: "s1relu", strided: true))
        \(stage(3, widths.2, from: "s2relu", strided: true))
         {"name": "gap", "type": "global_avgpool"}, {"name": "flatten", "type": "flatten"},
         {"name": "fc", "type": "linear", "out_features": 10}]
        """
    }

    /// conv-BN-ReLU; two blocks of depthwise 3×3-BN-ReLU + pointwise 1×1-BN-ReLU (the second
    /// depthwise with stride 2); GAP; flatten; linear.
    static let dscnn = """
    [{"name": "conv0", "type": "conv2d", "out_channels": 6, "kernel": 3, "padding": 1, "stride": 2},
     {"name": "bn0", "type": "batchnorm2d"}, {"name": "relu0", "type": "relu6"},
     {"name": "dw1", "type": "conv2d", "out_channels": 6, "groups": 6, "kernel": 3, "padding": 1},
     {"name": "dwbn1", "type": "batchnorm2d"}, {"name": "dwrelu1", "type": "relu6"},
     {"name": "pw1", "type": "conv2d", "out_channels": 10, "kernel": 1},
     {"name": "pwbn1", "type": "batchnorm2d"}, {"name": "pwrelu1", "type": "relu6"},
     {"name": "dw2", "type": "conv2d", "out_channels": 10, "groups": 10, "kernel": 3, "padding": 1, "stride": 2},
     {"name": "dwbn2", "type": "batchnorm2d"}, {"name": "dwrelu2", "type": "relu6"},
     {"name": "pw2", "type": "conv2d", "out_channels": 12, "kernel": 1},
     {"name": "pwbn2", "type": "batchnorm2d"}, {"name": "pwrelu2", "type": "relu6"},
     {"name": "gap", "type": "global_avgpool"}, {"name": "flatten", "type": "flatten"},
     {"name": "fc", "type": "linear", "out_features": 10}]
    """

    /// The spec of `layers` on 28×28 one-channel images.
    static func spec(_ layers: String, prune: String? = nil) throws -> Spec {
        try PruningFixtures.spec("""
        {"name": "net", "input": [1, 28, 28], "layers": \(layers),
         "train": {"epochs": 1, "batch_size": 50, "seed": 1, "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9}}
         \(prune.map { #", "prune": "# + $0 } ?? "")}
        """, file: "net.json")
    }

    /// A graph of `layers` with BatchNorm statistics away from the identity.
    static func graph(_ layers: String, seed: UInt64 = 3) throws -> Graph {
        PruningFixtures.withBatchNormStatistics(try spec(layers).buildGraph(seed: seed), seed: seed)
    }
}
