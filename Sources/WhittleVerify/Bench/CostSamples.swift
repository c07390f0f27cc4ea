import WhittleCodegen
import WhittleIR

/// The one-layer models `KernelCostMeasurement` counts: convs (plain and depthwise) and fully
/// connected layers of several shapes, dense and at several densities, in every weight format,
/// so MACs, outputs and decoded units vary apart and a fit can tell them apart.
enum CostSamples {
    static func all() -> [QGraph] {
        var plans: [QGraph] = []
        var seed: UInt64 = 1
        // Height, width, channels, filters, kernel, padding: "same" 3x3 (mostly border on small
        // inputs) and LeNet's valid 5x5 (all interior).
        let convShapes = [(8, 8, 4, 8, 3, 1), (12, 12, 8, 8, 3, 1), (6, 6, 16, 16, 3, 1), (10, 10, 2, 4, 5, 0),
                          (14, 14, 6, 16, 5, 0), (28, 28, 1, 6, 5, 0), (9, 9, 8, 12, 3, 0)]
        let fcShapes = [(64, 16), (256, 32), (512, 64), (96, 8)]
        for density in [1.0, 0.5, 0.2, 0.08] {
            for format in formats(density) {
                for (h, w, c, k, kernel, padding) in convShapes {
                    seed += 1
                    if let plan = conv(h, w, c, k, kernel, padding, groups: 1, density: density, format: format, seed: seed) { plans.append(plan) }
                }
                // Dense kernels have one density: more shapes, so their five costs are told apart;
                // the last four as in MLPerf Tiny's models (pointwise and 3x3 layers of 16-128
                // channels), where a matrix-product kernel's per-call and per-pixel work is small.
                if format == .dense {
                    for (h, w, c, k, kernel, padding) in [(16, 16, 8, 16, 3, 1), (20, 20, 3, 8, 3, 1), (7, 7, 32, 32, 1, 0), (12, 12, 4, 8, 5, 2),
                                                          (24, 24, 8, 16, 1, 0), (12, 12, 32, 64, 1, 0), (16, 16, 16, 32, 3, 1), (6, 6, 64, 128, 1, 0)] {
                        seed += 1
                        if let plan = conv(h, w, c, k, kernel, padding, groups: 1, density: 1, format: .dense, seed: seed) { plans.append(plan) }
                    }
                    for (h, w, c, kernel, padding) in [(8, 8, 8, 3, 1), (12, 12, 16, 3, 1), (6, 6, 32, 3, 0), (10, 10, 4, 3, 0),
                                                        (16, 16, 8, 3, 1), (5, 5, 64, 3, 1), (24, 24, 4, 5, 0), (9, 9, 12, 5, 2)] {
                        seed += 1
                        if let plan = conv(h, w, c, c, kernel, padding, groups: c, density: 1, format: .dense, seed: seed) { plans.append(plan) }
                    }
                    for (inputs, outputs) in [(400, 120), (120, 84), (32, 10)] {
                        seed += 1
                        if let plan = fullyConnected(inputs, outputs, density: 1, format: .dense, seed: seed) { plans.append(plan) }
                    }
                }
                for (inputs, outputs) in fcShapes {
                    seed += 1
                    if let plan = fullyConnected(inputs, outputs, density: density, format: format, seed: seed) { plans.append(plan) }
                }
            }
        }
        return plans
    }

    private static func formats(_ density: Double) -> [WeightFormat] {
        density == 1 ? [.dense] : density == 0.5 ? [.indexSparse, .bitmap, .nm(n: 2, m: 4)] : [.indexSparse, .bitmap, .nm(n: 1, m: 4)]
    }

    private static func conv(_ h: Int, _ w: Int, _ c: Int, _ k: Int, _ kernel: Int, _ padding: Int, groups: Int, density: Double,
                             format: WeightFormat, seed: UInt64) -> QGraph? {
        var rng = SeededGenerator(seed: seed)
        var b = QGraphBuilder(inputShape: TensorShape(height: h, width: w, channels: c), inputQuant: QuantParams(scale: 0.02, zeroPoint: -3),
                              inputDescription: "kernel cost sample")
        let fanIn = kernel * kernel * c / groups
        let weights = prunedWeights(k * fanIn, fanIn: fanIn, density: density, format: format, rng: &rng)
        guard let y = try? b.conv2d(b.input, name: "layer", weights: weights, weightScales: [Double](repeating: 0.01, count: k),
                                    bias: [Int32](repeating: 7, count: k), outputChannels: k, window: Window2D(kernel: kernel, padding: padding),
                                    groups: groups, output: QuantParams(scale: 0.5, zeroPoint: 2), activation: .relu, format: format),
              let graph = try? b.finish(output: y) else { return nil }
        return graph
    }

    private static func fullyConnected(_ inputs: Int, _ outputs: Int, density: Double, format: WeightFormat, seed: UInt64) -> QGraph? {
        var rng = SeededGenerator(seed: seed)
        var b = QGraphBuilder(inputShape: TensorShape(vector: inputs), inputQuant: QuantParams(scale: 0.02, zeroPoint: -3),
                              inputDescription: "kernel cost sample")
        let weights = prunedWeights(outputs * inputs, fanIn: inputs, density: density, format: format, rng: &rng)
        guard let y = try? b.fullyConnected(b.input, name: "layer", weights: weights, weightScales: [Double](repeating: 0.01, count: outputs),
                                            bias: [Int32](repeating: 7, count: outputs), outputCount: outputs,
                                            output: QuantParams(scale: 0.5, zeroPoint: 2), activation: .none, format: format),
              let graph = try? b.finish(output: y) else { return nil }
        return graph
    }

    /// Random int8 weights, kept with probability `density` (N:M: the first `n` of each group of `m`).
    private static func prunedWeights(_ count: Int, fanIn: Int, density: Double, format: WeightFormat,
                                      rng: inout SeededGenerator) -> [Int8] {
        (0..<count).map { i in
            let value = Int8.random(in: 1...40, using: &rng) * (Bool.random(using: &rng) ? 1 : -1)
            if case .nm(let n, let m) = format { return (i % fanIn) % m < n ? value : 0 }
            return Double(rng.next() >> 11) / Double(1 << 53) < density ? value : 0
        }
    }
}
