import Foundation
import WhittleNN

/// An autoencoder's figures on a test split, as `eval` and `train` report them.
struct ReconstructionOutput: Encodable {
    /// Mean squared error per value against the normalised input, averaged over the samples.
    var reconstructionError: Double
    /// ROC area of the reconstruction error as an anomaly score (data.normal_classes given and
    /// the test split labelled, holding both kinds).
    var auc: Double?
    var normalClasses: [Int]?
    var samples: Int
    /// The test split's name.
    var data: String

    init(_ r: Reconstruction, spec: Spec, test: Dataset) {
        (reconstructionError, auc, samples, data) = (r.meanError, r.auc, test.count, test.name)
        normalClasses = spec.data.normalClasses
    }

    /// One line, e.g. "mnist/test: reconstruction error 0.0421 on 10000 samples, anomaly AUC 0.912 (normal classes [0])".
    var text: String {
        let anomaly: String
        switch (auc, normalClasses) {
        case (let auc?, let normal?): anomaly = String(format: ", anomaly AUC %.4f (normal classes %@)", auc, "\(normal)")
        case (nil, _?): anomaly = " (no AUC: the test split needs labels of both normal and other classes)"
        default: anomaly = ""
        }
        return "\(data): reconstruction error \(String(format: "%.4f", reconstructionError)) on \(samples.grouped) samples\(anomaly)"
    }
}
