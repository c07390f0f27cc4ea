import Foundation
import WhittleTensor

/// What one epoch of training measured.
public struct EpochReport: Codable, Sendable {
    public var epoch: Int
    public var learningRate: Double
    public var loss: Double
    /// 0 for an autoencoder (train.target "input"), whose test accuracy is nil.
    public var trainAccuracy: Double
    public var testAccuracy: Double?
    public var seconds: Double
    /// Training samples per second, forward + backward + update (evaluation excluded).
    public var samplesPerSecond: Double
}

/// Mini-batch training with a seeded sample order. Hooks let later stages join in without
/// the trainer knowing them: `objective` replaces the loss (distillation), `afterBackward`
/// edits gradients (sparsity penalties), `afterStep` edits weights (pruning masks).
/// The objective and cross-entropy see the logits before a final softmax (`Graph.logitsIndex`).
public final class Trainer {
    public let graph: Graph
    public let recipe: TrainSpec
    public var objective: ((_ logits: Tensor, _ inputs: Tensor, _ labels: [Int32]) -> LossValue)?
    /// Trained with the graph's parameters but not part of it (distillation adapters).
    public var extraParameters: [Parameter] = []
    public var afterBackward: [(Graph) -> Void] = []
    public var afterStep: [(Graph) -> Void] = []
    /// Called with the 0-based epoch before it starts (freezing observers or BatchNorm in QAT).
    public var beforeEpoch: [(Int) -> Void] = []
    public var progress: ProgressLine?
    /// Label shown before progress lines ("train", "fine-tune", …).
    public var label = "epoch"

    public init(graph: Graph, recipe: TrainSpec) {
        self.graph = graph
        self.recipe = recipe
    }

    /// Trains for `recipe.epochs` epochs; evaluates on `test` after each epoch when given.
    public func fit(train: Dataset, test: Dataset?) throws -> [EpochReport] {
        let outputs = graph.outputShape.reduce(1, *)
        let classifies = recipe.target == .labels
        if classifies {
            guard train.isLabelled else { throw DataError("\(train.name): has no labels, but train.target is \"labels\"") }
            if let bad = train.labels.first(where: { Int($0) >= outputs }) {
                throw DataError("\(train.name): label \(bad) but the model has \(outputs) outputs")
            }
        } else if outputs != train.sampleSize {
            throw DataError("\(train.name): a reconstruction needs \(train.sampleSize) outputs, the model has \(outputs)")
        }
        let parameters = graph.namedParameters.map(\.parameter) + extraParameters
        let optimizer = recipe.optimizer.makeOptimizer(parameters)
        let schedule = recipe.schedule?.schedule ?? .constant
        var shuffle: RNG? = RNG(seed: recipe.seed).derived("shuffle")
        var reports: [EpochReport] = []
        for epoch in 0..<recipe.epochs {
            for hook in beforeEpoch { hook(epoch) }
            let lr = schedule.rate(base: recipe.optimizer.lr, epoch: epoch, epochs: recipe.epochs)
            let batches = train.batchOrder(batchSize: recipe.batchSize, shuffle: &shuffle)
            let start = Date()
            var lossSum = 0.0, correct = 0, seen = 0
            for (b, indices) in batches.enumerated() {
                let (x, labels) = train.batch(indices)
                graph.zeroGrad()
                for p in extraParameters { p.zeroGrad() }
                graph.forward(x, mode: .train)
                // A final softmax is skipped by losses on logits: its backward never runs for them.
                let scored = graph.lossNode(onLogits: objective != nil || recipe.loss.readsLogits)
                let logits = graph.output(of: scored, input: x)
                let value = objective?(logits, x, labels)
                    ?? recipe.loss.evaluate(output: logits, inputs: x, labels: labels, target: recipe.target)
                guard value.loss.isFinite else {
                    throw TrainingError("training diverged in epoch \(epoch + 1), batch \(b + 1): loss is \(value.loss) (lower the learning rate)")
                }
                graph.backward(value.gradient, extra: value.extraGradients, from: scored)
                for hook in afterBackward { hook(graph) }
                optimizer.step(learningRate: Float(lr))
                for hook in afterStep { hook(graph) }
                lossSum += Double(value.loss) * Double(labels.count)
                if classifies { correct += zip(argmaxRows(logits), labels).filter { $0 == Int($1) }.count }
                seen += labels.count
                let rate = Double(seen) / max(Date().timeIntervalSince(start), 1e-9)
                let accuracy = classifies ? String(format: "  acc %.2f%%", 100 * Double(correct) / Double(seen)) : ""
                progress?.update(String(format: "%@ %d/%d %@ %d/%d  loss %.4f%@  %.0f samples/s",
                                        label, epoch + 1, recipe.epochs, ProgressLine.bar(Double(seen) / Double(train.count)),
                                        seen, train.count, lossSum / Double(seen), accuracy, rate))
            }
            let seconds = Date().timeIntervalSince(start)
            let testAccuracy = classifies ? test.map { Evaluator.evaluate(graph, on: $0, progress: progress).accuracy } : nil
            let report = EpochReport(epoch: epoch + 1, learningRate: lr, loss: lossSum / Double(max(seen, 1)),
                                     trainAccuracy: Double(correct) / Double(max(seen, 1)), testAccuracy: testAccuracy,
                                     seconds: seconds, samplesPerSecond: Double(seen) / max(seconds, 1e-9))
            reports.append(report)
            let accuracy = classifies ? String(format: "  train %.2f%%", 100 * report.trainAccuracy) : ""
            progress?.finish(String(format: "%@ %d/%d  lr %.4g  loss %.4f%@%@  %.1f s  %.0f samples/s",
                                    label, report.epoch, recipe.epochs, lr, report.loss, accuracy,
                                    testAccuracy.map { String(format: "  test %.2f%%", 100 * $0) } ?? "", seconds, report.samplesPerSecond))
        }
        return reports
    }
}

public struct TrainingError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
