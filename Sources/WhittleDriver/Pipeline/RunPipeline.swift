import Foundation
import WhittleCodegen
import WhittleCompress
import WhittleIR
import WhittleLower
import WhittleNN
import WhittleTensor
import WhittleVerify

/// The whole recipe of a spec: train (or load) the float model → quantize → emit C → build,
/// run and compare. Artifacts land in one folder: model.safetensors, model.q, c/.
struct RunPipeline {
    var workbench: Workbench
    var output: URL
    /// An existing checkpoint: skip training.
    var model: String?
    /// A trained teacher checkpoint for the spec's distill section (before the spec's own).
    var teacherModel: String?
    var target = "host"
    var quiet = false
    /// Also measure host ns and instructions per inference (callgrind).
    var measureCost = false
    /// Also measure what only the HTML report shows: the masks' density maps and the
    /// quantization error per layer (seconds on a ResNet).
    var measureLayers = false

    /// One row of the stage table (and of `run --json`'s `stages`, the name under `stage`). The
    /// figures mean the same in every command and report: RAM is arena + kernel scratch (+ the
    /// stack measured on a bare-metal target); executed MACs are what the C's kernels run, with the
    /// dense model's beside them.
    struct Stage: Encodable {
        var name: String
        /// A distillation teacher: a model apart from the one being shipped, shown apart.
        var isTeacher = false
        /// Test accuracy, where measured.
        var accuracy: Double?
        var parameters: Int
        var nonzeros: Int
        var flashBytes: Int
        /// Static RAM of the C (nil for float stages).
        var ramBytes: Int?
        /// Multiply-accumulates per inference the C executes (nil for float stages: Swift runs them dense).
        var executedMacs: Int?
        var denseMacs: Int
        /// Instructions per inference, where counted (a bare-metal target, or the host with callgrind).
        var instructions: Int?

        private enum CodingKeys: String, CodingKey {
            case name = "stage", isTeacher = "teacher", accuracy, parameters, nonzeros, flashBytes, ramBytes, executedMacs, denseMacs,
                 instructions
        }
    }

    struct Report {
        var stages: [Stage]
        var verify: VerifyReport
        var folder: URL
        /// The emitted C's per-layer figures (kernels, formats, MACs, constants).
        var manifest: EmitManifest
        /// Per layer, how far the int8 output is from the float model's (`measureLayers`).
        var quantizationError: [QuantizationErrorProfile.Layer]
        /// Where the final float model's nonzero weights are, per layer (`measureLayers`).
        var densityMaps: [WeightDensityMap]
        /// Files written to `folder`, for the closing line.
        var artifacts: [String]
    }

    func run() throws -> Report {
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let spec = workbench.spec
        let progress = ProgressLine(quiet: quiet)
        let checkpoint = output.appendingPathComponent("model.safetensors").path
        let train = try workbench.data(.train), test = try workbench.data(.test)
        var stages: [Stage] = []

        var (graph, masks): (Graph, [String: Tensor])
        if let model {
            (graph, masks) = try workbench.masked(loading: model)
            stages.append(Self.floatStage("float32 (loaded)", graph, test, progress: progress))
        } else if let distill = spec.distill {
            let teacher = try teacherGraph(distill, progress: progress)
            var teacherStage = Self.floatStage("teacher float32", teacher, test, progress: progress)
            teacherStage.isTeacher = true
            stages.append(teacherStage)
            (graph, masks) = (try workbench.graph(), [:])
            _ = try Distillation.train(student: graph, teacher: teacher, settings: distill, recipe: spec.train,
                                       train: train, test: nil, progress: progress)
            stages.append(Self.floatStage("student distilled", graph, test, progress: progress))
        } else {
            (graph, masks) = (try workbench.graph(), [:])
            let trainer = Trainer(graph: graph, recipe: spec.train)
            trainer.progress = progress
            trainer.label = "train"
            _ = try trainer.fit(train: train, test: nil)
            stages.append(Self.floatStage("float32 trained", graph, test, progress: progress))
        }

        if let prune = spec.prune {
            var run = PruneRun(prune, file: workbench.specPath)
            run.progress = progress
            let outcome = try run.run(graph, masks: masks, train: train, test: test)
            (graph, masks) = (outcome.graph, outcome.masks)
            stages.append(Self.floatStage("pruned + fine-tuned", graph, test, progress: progress))
        }
        try Checkpoint.save(graph, to: checkpoint, masks: masks)
        let densityMaps = measureLayers ? WeightDensityMap.all(in: graph) : []
        var artifacts = ["model.safetensors", "model.q", "c/"]

        let quantized = try QuantizeStage(spec.quantize).run(graph, source: workbench.source, spec: spec, masks: masks, progress: progress)
        try QGraphFile.write(quantized.graph, to: output.appendingPathComponent("model.q"))
        quantized.warnings.forEach(Console.warning)
        if let fakeQuant = quantized.fakeQuantTestAccuracy, let qatModel = quantized.qatModel {
            stages.append(Self.floatStage("QAT fake-quant (Swift)", qatModel, test, progress: progress, accuracy: fakeQuant))
            try Checkpoint.save(qatModel, to: output.appendingPathComponent("model-qat.safetensors").path, masks: masks)
            artifacts.insert("model-qat.safetensors", at: 1)
        }
        // Against the float weights the int8 ones came from (after QAT, the QAT-trained ones).
        var quantizationError: [QuantizationErrorProfile.Layer] = []
        if measureLayers, let validation = quantized.graph.validation {
            progress.update("quantize: error per layer against the float model", force: true)
            quantizationError = try QuantizationErrorProfile.measure(graph, quantized.graph, validation: validation, data: test)
        }

        let backend = try CBackend(target: target, measureCost: measureCost, progress: progress)
            .emitAndVerify(quantized.graph, modelName: "model.q", to: output.appendingPathComponent("c"))
        let (manifest, verify) = (backend.manifest, backend.verify)
        progress.finish("verify: \(verify.comparison.bitExact ? "bit-exact" : "MISMATCH") on \(verify.comparison.vectors.grouped) vectors")

        let int8Weights = quantized.graph.weightCounts
        stages.append(Stage(name: "int8 C (\(target))", accuracy: verify.accuracy?.cAccuracy, parameters: int8Weights.total,
                            nonzeros: int8Weights.nonzero, flashBytes: verify.measurement?.flashBytes ?? manifest.constantBytes,
                            ramBytes: verify.measurement?.ramBytes ?? manifest.memory.ramBytes, executedMacs: manifest.executedMacs,
                            denseMacs: manifest.macs,
                            instructions: verify.measurement?.instructions?.perInference ?? verify.cost?.instructionsPerInference))
        if spec.train.target == .input { // an autoencoder has no classes: its error is in verify's reconstruction
            for i in stages.indices { stages[i].accuracy = nil }
        }
        return Report(stages: stages, verify: verify, folder: output, manifest: manifest, quantizationError: quantizationError,
                      densityMaps: densityMaps, artifacts: artifacts)
    }

    /// The teacher: `teacherModel` when given, else the spec's checkpoint when it exists, else
    /// trained by its own spec and saved in the output folder (teacher.safetensors), with a
    /// note on how to reuse it.
    func teacherGraph(_ distill: DistillSpec, progress: ProgressLine) throws -> Graph {
        if let teacherModel { return try Distillation.loadTeacher(of: workbench.spec, model: teacherModel) }
        let paths = distill.teacherPaths(relativeTo: workbench.spec.baseDirectory)
        if let model = paths.model, FileManager.default.fileExists(atPath: model) {
            return try Distillation.loadTeacher(of: workbench.spec, model: model)
        }
        let teacherSpec = try Spec.load(paths.spec)
        let source = DataSource.resolve(teacherSpec, override: workbench.dataOverride)
        let teacher = try teacherSpec.buildGraph(file: paths.spec)
        let trainer = Trainer(graph: teacher, recipe: teacherSpec.train)
        trainer.progress = progress
        trainer.label = "teacher"
        _ = try trainer.fit(train: try source.load(.train, spec: teacherSpec), test: nil)
        let saved = output.appendingPathComponent("teacher.safetensors").path
        try Checkpoint.save(teacher, to: saved)
        if !quiet { Console.note("run: trained the teacher; saved \(saved) (pass --teacher-model \(saved) to reuse it)") }
        return try Distillation.loadTeacher(of: workbench.spec, model: saved) // same checks as a loaded one
    }

    /// A float stage: flash as dense float32, the dense model's MACs; its test accuracy measured
    /// unless given.
    static func floatStage(_ name: String, _ graph: Graph, _ test: Dataset, progress: ProgressLine, accuracy: Double? = nil) -> Stage {
        let summary = ModelSummary(graph)
        return Stage(name: name, accuracy: accuracy ?? Evaluator.evaluate(graph, on: test, progress: progress).accuracy,
                     parameters: summary.totalParameters, nonzeros: summary.totalNonzeros, flashBytes: 4 * summary.totalParameters,
                     denseMacs: summary.totalMACs)
    }
}

extension QGraph {
    /// Weights and biases of all layers, and how many are nonzero.
    var weightCounts: (total: Int, nonzero: Int) {
        var total = 0, nonzero = 0
        for node in nodes {
            let (weights, bias): ([Int8], [Int32])
            switch node.op {
            case .conv2d(let c): (weights, bias) = (c.weights.denseValues, c.bias)
            case .fullyConnected(let f): (weights, bias) = (f.weights.denseValues, f.bias)
            default: continue
            }
            total += weights.count + bias.count
            nonzero += weights.filter { $0 != 0 }.count + bias.filter { $0 != 0 }.count
        }
        return (total, nonzero)
    }
}
