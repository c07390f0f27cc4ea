import WhittleTensor

/// Accuracy and mean loss of a model on a dataset, in evaluation mode.
public struct Evaluation: Sendable {
    public var accuracy: Double
    public var loss: Double
    public var predictions: [Int]
}

public enum Evaluator {
    /// Runs the model over `data` in batches; `logits` receives each batch's outputs in order.
    /// For a model ending in softmax those outputs are its probabilities (what the int8 model's
    /// SOFTMAX outputs, so agreement checks compare like with like); the loss still reads the
    /// logits before the softmax, and accuracy is the argmax either way. `progress` shows a bar
    /// (a ResNet-8 takes seconds over 10,000 images); the caller's next line replaces it.
    public static func evaluate(_ graph: Graph, on data: Dataset, batchSize: Int = 500, progress: ProgressLine? = nil,
                                logits: ((Tensor) -> Void)? = nil) -> Evaluation {
        var correct = 0, totalLoss = 0.0
        var predictions: [Int] = []
        predictions.reserveCapacity(data.count)
        for start in stride(from: 0, to: data.count, by: batchSize) {
            let end = min(start + batchSize, data.count)
            progress?.update("evaluating on \(data.count) samples " + ProgressLine.bar(Double(start) / Double(data.count)) + " \(start)/\(data.count)")
            let (x, labels) = data.batch(start..<end)
            let y = graph.forward(x, mode: .eval)
            logits?(y)
            let scores = graph.output(of: graph.logitsIndex, input: x)
            // An autoencoder's labels (its test set's classes) need not index its outputs.
            if labels.allSatisfy({ Int($0) < scores.shape[1] }) {
                totalLoss += Double(Loss.softmaxCrossEntropy(logits: scores, labels: labels).loss) * Double(labels.count)
            }
            let p = argmaxRows(y)
            predictions += p
            correct += zip(p, labels).filter { $0 == Int($1) }.count
        }
        let n = Double(max(data.count, 1))
        return Evaluation(accuracy: Double(correct) / n, loss: totalLoss / n, predictions: predictions)
    }

    /// All outputs [count, classes] of the model on `data` (probabilities if it ends in softmax).
    public static func logits(_ graph: Graph, on data: Dataset, batchSize: Int = 500, progress: ProgressLine? = nil) -> Tensor {
        evaluateKeepingLogits(graph, on: data, batchSize: batchSize, progress: progress).logits
    }

    /// `evaluate` and `logits` in one pass over the data.
    public static func evaluateKeepingLogits(_ graph: Graph, on data: Dataset, batchSize: Int = 500,
                                             progress: ProgressLine? = nil) -> (evaluation: Evaluation, logits: Tensor) {
        var all: [Float] = []
        var classes = 0
        let evaluation = evaluate(graph, on: data, batchSize: batchSize, progress: progress) { y in all += y.storage; classes = y.shape[1] }
        return (evaluation, Tensor(shape: [data.count, classes], storage: all))
    }
}
