import Foundation
import WhittleSupport
import WhittleCodegen
import WhittleIR
import WhittleNN
import WhittleVerify

/// Flash, RAM and instructions per inference of the example LeNets (`SampleGraphs.exampleLeNets`
/// of a dense int8 LeNet, each in the weight formats it stores) on every bare-metal target (QEMU,
/// counted between two marks); then the tutorial-pruned LeNet with its formats chosen per target
/// by `emit --optimize size` and `speed`.
struct TargetBenchmark {
    struct Row {
        var model: String
        var target: String
        var constantBytes: Int
        var flashBytes: Int
        var ramBytes: Int
        var instructions: Int?
        var bitExact: Bool
    }

    /// The rows, and the line naming targets skipped for a missing toolchain (nil when none).
    static func run(dense: QGraph, resources: WhittleResources, progress: ProgressLine) throws -> (rows: [Row], skipped: String?) {
        let targets = try TargetDescriptor.knownTargets(in: resources).filter { $0 != "host" }
            .map { try TargetDescriptor.load(named: $0, from: resources) }
        let (available, skipped) = Toolchain.availability(of: targets)
        let scratch = try Temporaries.folder(label: "bench-targets")
        defer { Temporaries.remove(scratch) }
        let host = try TargetDescriptor.load(named: "host", from: resources)
        var rows: [Row] = []
        let examples = try SampleGraphs.exampleLeNets(dense: dense, seed: 1)
        let runs = examples.map { ($0.name, $0.graph, PassOptions.stored) }
            + SparseFormatChoice.Objective.allCases.map { ("pruned, --optimize \($0.rawValue)", examples[1].graph, PassOptions(objective: $0)) }
        for (index, (name, graph, passes)) in runs.enumerated() {
            let folder = scratch.appendingPathComponent("model\(index)")
            let step = "bench: \(name) (model \(index + 1) of \(runs.count)), "
            progress.update(step + "emitting", force: true)
            try Emitter.emit(graph, options: EmitOptions(target: host, modelName: name, vectorCount: 4, passes: passes), resources: resources, to: folder)
            let sweep = try TargetSweep.verify(folder, on: targets.filter { available.contains($0.name) }, resources: resources,
                                               options: VerifyOptions(sanitize: false, progress: { progress.update(step + $0, force: true) }))
            for (target, outcome) in sweep {
                guard case .verified(let report) = outcome, let m = report.measurement else {
                    throw CheckFailed(description: "bench: \(name) on \(target): \(outcome)")
                }
                rows.append(Row(model: name, target: target, constantBytes: report.constantBytes, flashBytes: m.flashBytes, ramBytes: m.ramBytes,
                                instructions: m.instructions?.perInference, bitExact: report.passed))
            }
        }
        progress.clear()
        return (rows, Toolchain.skippedLine(skipped))
    }
}
