import Foundation
import WhittleSupport
import WhittleNN

enum RunCommand: Command {
    static let name = "run"
    static let summary = "the whole recipe: train → quantize → emit C → build, run, compare"
    static let usage = """
    usage: whittle run SPEC [-o DIR] [--model MODEL.safetensors] [--target NAME] [--data DIR]
                        [--epochs N] [--seed S] [--report FILE.html] [--json]

    The spec's stages in order: train (or, with a distill section, train or load the teacher and
    distill the student; or load --model), prune with fine-tuning (prune section), quantize (post-
    training, or QAT with quantize.qat), emit C for the target (default host), build, run on the
    test split and compare. Prints a table of every stage: accuracy, parameters, nonzeros, flash
    bytes, RAM bytes (arena + kernel scratch), MACs.
    Exits 1 if the C output differs from the Swift reference in any byte.

      -o DIR            where model.safetensors, model.q and c/ go (default: whittle-out/<spec name>)
      --report FILE     an HTML report: accuracy, flash and MACs per stage

    """ + TFLiteRun.usage

    static func run(_ args: inout Arguments) throws -> Int32 {
        var probe = args
        if let model = probe.optionalPositional(), TFLiteInspection.isTFLiteFile(model) {
            args = probe
            return try TFLiteRun.run(model, &args)
        }
        let bench = try Workbench(&args)
        let output = try args.output("-o", "--output", as: .folder) ?? "whittle-out/\(bench.spec.name)"
        let model = try args.option("--model")
        let target = try args.option("--target") ?? "host"
        let json = args.flag("--json")
        let reportPath = try args.output("--report", as: .file)
        try args.finish()
        var pipeline = RunPipeline(workbench: bench, output: URL(fileURLWithPath: output), model: model)
        pipeline.target = target
        pipeline.quiet = json
        let report = try pipeline.run()
        if let reportPath { try RunReport(report: report, model: bench.spec.name).write(to: reportPath) }
        return try present(report, json: json)
    }

    /// Prints the stage table (or JSON) and turns a mismatch into exit 1.
    static func present(_ report: RunPipeline.Report, json: Bool) throws -> Int32 {
        let v = report.verify
        if json {
            try Console.json(Output(report))
        } else {
            var table = TextTable("stage", "accuracy", "params", "nonzero", "flash B", "RAM B", "MACs")
            for s in report.stages {
                table.add([s.name, s.accuracy.map(percent) ?? "", grouped(s.parameters), grouped(s.nonzeros),
                           grouped(s.flashBytes), s.ramBytes.map(grouped) ?? "", grouped(s.macs)])
            }
            print(table.rendered)
            if let e = v.reconstruction {
                print("C vs Swift reference: \(v.comparison.bitExact ? "bit-exact" : "MISMATCH") on \(v.comparison.vectors) vectors; reconstruction: \(ReconstructionText.line(e))")
            }
            if let a = v.accuracy {
                print(String(format: "C vs Swift reference: %@ on %d vectors; C vs float: top-1 agreement %.2f%%, |logit error| max %.4f mean %.4f",
                             v.comparison.bitExact ? "bit-exact" : "MISMATCH", v.comparison.vectors,
                             100 * (a.top1AgreementWithFloat ?? 0), a.maxAbsLogitError ?? 0, a.meanAbsLogitError ?? 0))
            }
            print("artifacts in \(report.folder.path): model.safetensors, model.q, c/")
        }
        guard v.passed else {
            throw CheckFailed(description: "\(report.folder.path)/c: C output differs from the Swift reference"
                              + (v.comparison.firstMismatch.map { " at \($0)" } ?? ""))
        }
        return 0
    }
}

extension RunCommand {
    /// `run --json` and `demo --json`: the stage table and the C's verdict.
    struct Output: Encodable {
        var folder: String
        var bitExact: Bool
        var vectors: Int
        /// Of the C int8 model with the float logits (0 without labelled vectors).
        var top1Agreement: Double
        var referenceAccuracy: Double
        var stages: [RunPipeline.Stage]

        init(_ report: RunPipeline.Report) {
            let v = report.verify
            (folder, bitExact, vectors, stages) = (report.folder.path, v.comparison.bitExact, v.comparison.vectors, report.stages)
            (top1Agreement, referenceAccuracy) = (v.accuracy?.top1AgreementWithFloat ?? 0, v.accuracy?.referenceAccuracy ?? 0)
        }
    }
}
