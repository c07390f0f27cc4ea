import WhittleSupport
import WhittleTensor

/// How well an autoencoder reproduces its inputs: the mean squared error per sample (against
/// the normalised input, as it trained), and as an anomaly detector, the ROC area of that error
/// with the samples outside `normalClasses` as the anomalies.
public struct Reconstruction: Sendable {
    /// Each sample's mean squared error.
    public var errors: [Double]
    /// The mean of `errors`.
    public var meanError: Double
    /// nil without labelled data and normal classes, or when the test set lacks either kind.
    public var auc: Double?

    /// Runs the model over `data` in batches, in evaluation mode.
    public static func evaluate(_ graph: Graph, on data: Dataset, normalClasses: [Int]? = nil, batchSize: Int = 500) -> Reconstruction {
        var errors: [Double] = []
        errors.reserveCapacity(data.count)
        let size = data.sampleSize
        for start in stride(from: 0, to: data.count, by: batchSize) {
            let (x, _) = data.batch(start..<min(start + batchSize, data.count))
            let y = graph.forward(x, mode: .eval)
            precondition(y.count == x.count, "a reconstruction needs as many outputs as inputs")
            for row in 0..<(x.count / max(size, 1)) {
                var sum = 0.0
                for j in (row * size)..<((row + 1) * size) {
                    let d = Double(y.storage[j] - x.storage[j])
                    sum += d * d
                }
                errors.append(sum / Double(size))
            }
        }
        var auc: Double?
        if let normal = normalClasses.map(Set.init), data.isLabelled {
            auc = ROCArea.of(scores: errors, positive: data.labels.map { !normal.contains(Int($0)) })
        }
        return Reconstruction(errors: errors, meanError: errors.reduce(0, +) / Double(max(errors.count, 1)), auc: auc)
    }
}
