import Foundation
import WhittleTensor

/// A loss value and its gradient with respect to the model output.
public struct LossValue {
    public var loss: Float
    public var gradient: Tensor
    /// Gradients at named intermediate nodes, added during backward (feature-distillation hints).
    public var extraGradients: [String: Tensor] = [:]

    public init(loss: Float, gradient: Tensor, extraGradients: [String: Tensor] = [:]) {
        self.loss = loss; self.gradient = gradient; self.extraGradients = extraGradients
    }
}

/// What a model's output is trained to match: the labels (a classifier) or its own input
/// (an autoencoder; spec `train.target: "input"`).
public enum TrainingTarget: String, Codable, Sendable { case labels, input }

public enum Loss: String, Codable, Sendable {
    case crossEntropy = "cross_entropy"
    case mse

    public func evaluate(logits: Tensor, labels: [Int32]) -> LossValue {
        switch self {
        case .crossEntropy: return Loss.softmaxCrossEntropy(logits: logits, labels: labels)
        case .mse: return Loss.meanSquaredError(output: logits, target: Loss.oneHot(labels, classes: logits.shape[1]))
        }
    }

    /// The loss of a batch against `target`: the labels, or (a reconstruction) the normalised
    /// inputs, which must hold as many values as the output (mse only; the spec checks both).
    public func evaluate(output: Tensor, inputs: Tensor, labels: [Int32], target: TrainingTarget) -> LossValue {
        switch target {
        case .labels: return evaluate(logits: output, labels: labels)
        case .input: return Loss.meanSquaredError(output: output, target: Tensor(shape: output.shape, storage: inputs.storage))
        }
    }

    /// Mean over the batch of −log softmax(logits)[label], computed with the max subtracted
    /// (so large logits cannot overflow). Gradient: (softmax − onehot) / N.
    public static func softmaxCrossEntropy(logits: Tensor, labels: [Int32]) -> LossValue {
        let n = logits.shape[0], k = logits.shape[1]
        var grad = Tensor(shape: logits.shape)
        var total = 0.0
        for i in 0..<n {
            let row = Array(logits.storage[(i * k)..<((i + 1) * k)])
            let m = row.max() ?? 0
            var z = 0.0
            for v in row { z += exp(Double(v - m)) }
            let logZ = log(z) + Double(m)
            let label = Int(labels[i])
            total += logZ - Double(row[label])
            for j in 0..<k {
                let p = exp(Double(row[j]) - logZ)
                grad.storage[i * k + j] = Float((p - (j == label ? 1 : 0)) / Double(n))
            }
        }
        return LossValue(loss: Float(total / Double(n)), gradient: grad)
    }

    /// Mean over all elements of (output − target)², PyTorch's MSELoss(reduction="mean").
    public static func meanSquaredError(output: Tensor, target: Tensor) -> LossValue {
        var grad = Tensor(shape: output.shape)
        var total = 0.0
        let scale = 2 / Float(output.count)
        for i in 0..<output.count {
            let d = output.storage[i] - target.storage[i]
            total += Double(d * d)
            grad.storage[i] = scale * d
        }
        return LossValue(loss: Float(total / Double(output.count)), gradient: grad)
    }

    public static func oneHot(_ labels: [Int32], classes: Int) -> Tensor {
        var t = Tensor(shape: [labels.count, classes])
        for (i, l) in labels.enumerated() { t.storage[i * classes + Int(l)] = 1 }
        return t
    }
}

/// Index of the largest value in each row of [N, K].
public func argmaxRows(_ t: Tensor) -> [Int] {
    let k = t.shape[1]
    return (0..<t.shape[0]).map { i in
        var best = 0
        for j in 1..<k where t.storage[i * k + j] > t.storage[i * k + best] { best = j }
        return best
    }
}
