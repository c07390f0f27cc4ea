import WhittleNN
import WhittleTensor

/// Fine-tunes a float graph quantization-aware: calibrate to seed the ranges, build the
/// `QATModel`, train it with BatchNorm and observers frozen after the configured epochs.
/// Pruning masks (by parameter name) stay applied throughout, so pruned weights stay zero.
public enum QuantizationAwareTraining {
    public static func run(_ float: Graph, settings: QuantizeSpec, qat: QATSpec, train: Dataset,
                           masks: [String: Tensor] = [:], progress: ProgressLine? = nil) throws -> QATModel {
        let calibration = try Calibration.run(float, on: settings.calibrationSet(from: train), makeObserver: settings.makeObserver)
        let model = try QATModel(float, initial: calibration, perChannel: settings.perChannel,
                                 averagingConstant: Float(qat.averagingConstant))
        let trainer = Trainer(graph: model.graph, recipe: qat.train)
        trainer.label = "qat"
        trainer.progress = progress
        if !masks.isEmpty { try Pruner(graph: float, masks: masks).attach(to: trainer) }
        trainer.beforeEpoch.append { epoch in
            if let after = qat.freezeBatchNormAfter, epoch >= after { model.freezeBatchNorm() }
            if epoch >= qat.freezeObserversAfter { model.freezeObservers() }
        }
        _ = try trainer.fit(train: train, test: nil)
        model.freezeBatchNorm()
        model.freezeObservers()
        return model
    }
}
