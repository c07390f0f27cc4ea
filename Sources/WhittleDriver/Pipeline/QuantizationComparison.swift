import Foundation
import WhittleSupport
import WhittleCompress
import WhittleIR
import WhittleLower
import WhittleNN

/// Every way Whittle quantizes one trained model, side by side: float, dynamic (Swift-side),
/// static post-training with each calibration method (lowered, emitted and run as C), and QAT
/// with its equally-trained float control.
struct QuantizationComparison {
    var workbench: Workbench
    var model: String
    var qatEpochs = 3
    var qatLearningRate = 0.001
    var quiet = false

    struct Row {
        var method: String
        var accuracy: Double
        /// Top-1 agreement of the C int8 model with the float model given (QAT's too).
        var agreement: Double?
        var maxLogitError: Double?
        var bitExact: Bool?
        /// Per-layer SQNR of the lowered model against float (static methods).
        var profile: [QuantizationErrorProfile.Layer] = []
    }

    /// The static methods: name and quantize settings (the spec's, with observer and scheme set).
    func staticMethods() -> [(String, QuantizeSpec)] {
        let base = workbench.spec.quantize
        func variant(_ observer: QuantizeSpec.Observer, perChannel: Bool = true) -> QuantizeSpec {
            var s = base
            s.observer = observer
            s.perChannel = perChannel
            s.qat = nil
            return s
        }
        return [("per-tensor min/max", variant(.minmax, perChannel: false)),
                ("per-channel min/max", variant(.minmax)),
                ("per-channel moving-average min/max", variant(.movingAverage)),
                ("per-channel percentile \(base.percentile)", variant(.percentile)),
                ("per-channel MSE", variant(.mse)),
                ("per-channel entropy (KL)", variant(.entropy))]
    }

    func run() throws -> [Row] {
        let progress = ProgressLine(quiet: quiet)
        let folder = try Temporaries.folder(label: "compare")
        defer { Temporaries.remove(folder) }
        progress.update("compare: float32 and dynamic int8 on the test split", force: true)
        let test = try workbench.data(.test)
        var rows: [Row] = []

        let float = try workbench.graph(loading: model)
        rows.append(Row(method: "float32 (Swift)", accuracy: Evaluator.evaluate(float, on: test, progress: progress).accuracy))
        rows.append(Row(method: "dynamic int8 (Swift)",
                        accuracy: Evaluator.evaluate(try DynamicQuantization.model(float), on: test, progress: progress).accuracy))

        func lowered(_ name: String, _ settings: QuantizeSpec) throws -> Row {
            progress.update("compare: \(name)", force: true)
            let (graph, masks) = try workbench.masked(loading: model) // QAT trains its graph in place
            let result = try QuantizeStage(settings).run(graph, source: workbench.source, spec: workbench.spec, masks: masks,
                                                         progress: progress)
            let backend = CBackend(sanitize: false, progress: progress, label: "compare: \(name): ")
            let c = try backend.emitAndVerify(result.graph, modelName: name, to: folder.appendingPathComponent(String(rows.count)))
            let a = c.verify.accuracy
            let profile = try result.graph.validation.map {
                try QuantizationErrorProfile.measure(graph, result.graph, validation: $0, data: test)
            } ?? []
            return Row(method: name + " (C)", accuracy: a?.cAccuracy ?? 0, agreement: a?.top1AgreementWithFloat,
                       maxLogitError: a?.maxAbsLogitError, bitExact: c.verify.comparison.bitExact,
                       profile: profile)
        }
        for (name, settings) in staticMethods() { rows.append(try lowered(name, settings)) }

        guard qatEpochs > 0 else {
            progress.clear()
            return rows
        }
        var qat = workbench.spec.quantize
        qat.observer = .minmax
        var q = qat.qat ?? QATSpec(epochs: qatEpochs, learningRate: qatLearningRate)
        q.train.epochs = qatEpochs
        q.train.optimizer.lr = qatLearningRate
        qat.qat = q
        rows.append(try lowered("QAT \(qatEpochs) epochs, lr \(qatLearningRate)", qat))

        // The honest baseline: the float model trained the same extra epochs at the same rate.
        progress.update("compare: float control, \(qatEpochs) more epochs", force: true)
        let (control, masks) = try workbench.masked(loading: model)
        let trainer = Trainer(graph: control, recipe: q.train)
        if !masks.isEmpty { try Pruner(graph: control, masks: masks).attach(to: trainer) } // as QAT does
        trainer.label = "control"
        trainer.progress = progress
        _ = try trainer.fit(train: try workbench.data(.train), test: nil)
        rows.append(Row(method: "float32 control, +\(qatEpochs) epochs (Swift)",
                        accuracy: Evaluator.evaluate(control, on: test, progress: progress).accuracy))
        progress.finish("compare: done")
        return rows
    }
}
