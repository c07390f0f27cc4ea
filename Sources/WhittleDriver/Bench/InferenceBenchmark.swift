import Foundation
import WhittleSupport
import WhittleIR
import WhittleNN
import WhittleVerify

/// Host cost of one int8 inference of a trained model: quantize, emit for the host, verify,
/// and time the C (ns per inference) and count its instructions (callgrind).
struct InferenceBenchmark {
    var specName = "lenet.json"
    var dataDirectory: String

    func run(_ graph: Graph, quiet: Bool) throws -> (cost: HostCost, report: RunPipeline.Report, quantized: QGraph) {
        let folder = try Temporaries.folder(label: "bench")
        defer { Temporaries.remove(folder) }
        let checkpoint = folder.appendingPathComponent("trained.safetensors").path
        try Checkpoint.save(graph, to: checkpoint)
        var args = Arguments(command: "bench", tokens: [try Resources.folder("examples").appendingPathComponent(specName).path,
                                                        "--data", dataDirectory])
        var pipeline = RunPipeline(workbench: try Workbench(&args), output: folder, model: checkpoint)
        pipeline.quiet = quiet
        pipeline.measureCost = true
        let report = try pipeline.run()
        guard let cost = report.verify.cost else { throw CheckFailed(description: "bench: no host cost was measured") }
        return (cost, report, try QGraphFile.read(from: folder.appendingPathComponent("model.q")))
    }
}
