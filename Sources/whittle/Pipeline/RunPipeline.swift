import Foundation
import WhittleIR
import WhittleNN
import WhittleVerify

/// The whole recipe of a spec: train (or load) the float model → quantize → emit C → build,
/// run and compare. Artifacts land in one folder: model.safetensors, model.q, c/.
struct RunPipeline {
    var workbench: Workbench
    var output: URL
    /// An existing checkpoint: skip training.
    var model: String?
    var target = "host"
    var quiet = false
    /// Also measure host ns and instructions per inference (callgrind).
    var measureCost = false

    /// One row of the stage table.
    struct Stage {
        var name: String
        var accuracy: Double?
        var parameters: Int
        var nonzeros: Int
        var flashBytes: Int
        var arenaBytes: Int?
        var macs: Int
    }

    struct Report {
        var stages: [Stage]
        var verify: VerifyReport
        var folder: URL
    }

    func run() throws -> Report {
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let spec = workbench.spec
        let progress = ProgressLine(quiet: quiet)
        let checkpoint = output.appendingPathComponent("model.safetensors").path
        let graph: Graph
        if let model {
            graph = try workbench.graph(loading: model)
        } else {
            graph = try workbench.graph()
            let trainer = Trainer(graph: graph, recipe: spec.train)
            trainer.progress = progress
            trainer.label = "train"
            _ = try trainer.fit(train: try workbench.data(.train), test: nil)
            try Checkpoint.save(graph, to: checkpoint)
        }
        let summary = ModelSummary(graph)

        progress.update("quantize: calibrating on \(spec.quantize.calibration) images", force: true)
        let quantized = try QuantizeStage(spec.quantize).run(graph, source: workbench.source, spec: spec)
        let qPath = output.appendingPathComponent("model.q")
        try QGraphFile.write(quantized.graph, to: qPath)

        progress.update("emit and verify: C for target \(target)", force: true)
        let backend = try CBackend(target: target, measureCost: measureCost)
            .emitAndVerify(quantized.graph, modelName: "model.q", to: output.appendingPathComponent("c"))
        let (manifest, verify) = (backend.manifest, backend.verify)
        progress.finish("verify: \(verify.comparison.bitExact ? "bit-exact" : "MISMATCH") on \(verify.comparison.vectors) vectors")

        let int8Weights = quantized.graph.weightCounts
        let stages = [
            Stage(name: "float32", accuracy: quantized.floatTestAccuracy, parameters: summary.totalParameters,
                  nonzeros: summary.totalNonzeros, flashBytes: 4 * summary.totalParameters, arenaBytes: nil, macs: summary.totalMACs),
            Stage(name: "int8 C (\(target))", accuracy: verify.accuracy?.cAccuracy, parameters: int8Weights.total,
                  nonzeros: int8Weights.nonzero, flashBytes: manifest.constantBytes, arenaBytes: manifest.memory.arenaBytes,
                  macs: manifest.macs),
        ]
        return Report(stages: stages, verify: verify, folder: output)
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
