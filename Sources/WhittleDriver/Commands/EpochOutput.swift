import WhittleNN

/// One training epoch in `train --json` and `distill --json`.
struct EpochOutput: Encodable {
    var epoch: Int
    var loss: Double
    var trainAccuracy: Double
    /// 0 when the epoch was not evaluated.
    var testAccuracy: Double
    var seconds: Double
    var samplesPerSecond: Double
    var learningRate: Double
    /// distill only: the mean of each loss term over the epoch.
    var terms: DistillTerms?

    init(_ r: EpochReport, terms: DistillTerms? = nil) {
        (epoch, loss, trainAccuracy, testAccuracy) = (r.epoch, r.loss, r.trainAccuracy, r.testAccuracy ?? 0)
        (seconds, samplesPerSecond, learningRate) = (r.seconds, r.samplesPerSecond, r.learningRate)
        self.terms = terms
    }
}

/// The distillation loss terms of an epoch, those the spec turned on (the `Distiller` records
/// them by these names).
struct DistillTerms: Encodable {
    var crossEntropy: Double?
    var response: Double?
    var feature: Double?
    var distance: Double?
    var angle: Double?

    init(_ terms: [String: Double]) {
        (crossEntropy, response, feature) = (terms["cross_entropy"], terms["response"], terms["feature"])
        (distance, angle) = (terms["distance"], terms["angle"])
    }
}
