import Foundation
import WhittleTensor

/// Softmax over each sample's features: a [features] input, or [channels, 1, 1] after a global
/// pool. y = exp(x − max) / Σ exp(x − max), so large inputs cannot overflow.
///
/// Allowed only as a model's last layer (the graph builder checks). Training does not run its
/// backward under cross-entropy: the loss reads the logits before it (`Graph.logitsIndex`),
/// which is exact and stable where log(softmax) is not. Its outputs are probabilities, as the
/// int8 model's SOFTMAX outputs (scale 1/256, zero point −128).
public final class Softmax: LayerBase, Layer {
    private var output = Tensor(shape: [0])

    public var kind: String { "softmax" }

    public func outputShape(for input: [Int]) throws -> [Int] {
        guard input.count == 1 || (input.count == 3 && input[1] == 1 && input[2] == 1) else {
            throw ShapeError("expects a [features] or [channels, 1, 1] input, got shape \(input) (add a flatten or global_avgpool before it)")
        }
        return input
    }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        var y = x
        let n = x.shape[0], k = x.count / max(n, 1)
        y.withUnsafeMutablePointer { p in
            for i in 0..<n {
                let row = p + i * k
                var m = -Float.infinity
                for j in 0..<k { m = max(m, row[j]) }
                var z: Float = 0
                for j in 0..<k { row[j] = expf(row[j] - m); z += row[j] }
                for j in 0..<k { row[j] /= z }
            }
        }
        output = mode == .train ? y : Tensor(shape: [0])
        return y
    }

    /// dx_j = y_j · (g_j − Σ_i g_i · y_i), per sample.
    public func backward(_ gradOutput: Tensor) -> Tensor {
        var dx = gradOutput
        let n = gradOutput.shape[0], k = gradOutput.count / max(n, 1)
        output.withUnsafePointer { y in dx.withUnsafeMutablePointer { g in
            for i in 0..<n {
                let yr = y + i * k, gr = g + i * k
                var dot: Float = 0
                for j in 0..<k { dot += gr[j] * yr[j] }
                for j in 0..<k { gr[j] = yr[j] * (gr[j] - dot) }
            }
        }}
        return dx
    }
}
