import WhittleCompress
import WhittleNN

extension PruneCommand {
    /// `prune --json`: accuracy at each step, sizes before and after, per layer, and what
    /// slimming and the sensitivity scan found.
    struct Output: Encodable {
        var model: String
        var output: String
        /// Training epochs the pruning took (slimming, schedule, fine-tuning).
        var epochs: Int
        var accuracyBefore: Double
        var accuracyPruned: Double
        var accuracyAfter: Double
        /// `--control`: the unpruned model trained as many epochs.
        var accuracyControl: Double?
        var parametersBefore: Int
        var parametersAfter: Int
        var weightsBefore: Int
        var nonzeroWeights: Int
        var macsBefore: Int
        var macsAfter: Int
        var sparseMacsAfter: Int
        var layers: [Layer]
        var fineTuning: [FineTuningEpoch]
        var slimming: Slimming?
        /// Omitted when no scan ran.
        var sensitivity: [Sensitivity]?

        struct Layer: Encodable {
            var name: String
            var kind: String
            var outputsBefore: Int
            var outputsAfter: Int
            var weightsBefore: Int
            var weightsAfter: Int
            var nonzero: Int
            /// Nonzero weights over the weights before pruning.
            var density: Double
            var macsBefore: Int
            var macsAfter: Int
            var sparseMacsAfter: Int
            var sparsityAsked: Double?
        }

        struct FineTuningEpoch: Encodable {
            var epoch: Int
            var loss: Double
            var testAccuracy: Double
        }

        struct Slimming: Encodable {
            /// After the sparsity training, before pruning.
            var accuracy: Double
            var removedChannels: [RemovedChannels]
            var gammasAfter: [Gammas]
        }

        struct RemovedChannels: Encodable {
            var layer: String
            var count: Int
        }

        struct Gammas: Encodable {
            var layer: String
            var values: [Float]
        }

        struct Sensitivity: Encodable {
            var layer: String
            var weights: Int
            /// The sparsity chosen for the layer (0 when it is not pruned).
            var chosen: Double
            var points: [SensitivityCurve.Point]
        }

        init(model: String, output: String, _ outcome: PruneOutcome, after: [LayerSparsity], summaryAfter: ModelSummary,
             asked: [String: Double], control: Double?) {
            (self.model, self.output, epochs) = (model, output, outcome.epochs)
            (accuracyBefore, accuracyPruned) = (outcome.accuracyBefore, outcome.accuracyPruned)
            (accuracyAfter, accuracyControl) = (outcome.accuracyAfter, control)
            (parametersBefore, parametersAfter) = (outcome.before.totalParameters, summaryAfter.totalParameters)
            weightsBefore = outcome.layersBefore.reduce(0) { $0 + $1.weights }
            nonzeroWeights = after.reduce(0) { $0 + $1.nonzeroWeights }
            (macsBefore, macsAfter) = (outcome.before.totalMACs, summaryAfter.totalMACs)
            sparseMacsAfter = after.reduce(0) { $0 + $1.sparseMACs }
            layers = after.map { a in
                let b = outcome.layersBefore.first { $0.name == a.name } ?? a
                return Layer(name: a.name, kind: a.kind, outputsBefore: b.outputs, outputsAfter: a.outputs, weightsBefore: b.weights,
                             weightsAfter: a.weights, nonzero: a.nonzeroWeights,
                             density: Double(a.nonzeroWeights) / Double(max(b.weights, 1)), macsBefore: b.macs, macsAfter: a.macs,
                             sparseMacsAfter: a.sparseMACs, sparsityAsked: asked[a.name])
            }
            fineTuning = outcome.fineTuning.map { FineTuningEpoch(epoch: $0.epoch, loss: $0.loss, testAccuracy: $0.testAccuracy ?? 0) }
            slimming = outcome.slimming.map { s in
                Slimming(accuracy: s.accuracy,
                         removedChannels: s.gammasAfter.map { RemovedChannels(layer: $0.layer, count: s.pruned[$0.layer]?.count ?? 0) },
                         gammasAfter: s.gammasAfter.map { Gammas(layer: $0.layer, values: $0.values) })
            }
            sensitivity = outcome.sensitivity.isEmpty ? nil : outcome.sensitivity.map {
                Sensitivity(layer: $0.layer, weights: $0.weights, chosen: asked[$0.layer] ?? 0, points: $0.points)
            }
        }
    }
}
