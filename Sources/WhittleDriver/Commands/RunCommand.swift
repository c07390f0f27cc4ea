import Foundation
import WhittleSupport
import WhittleNN

enum RunCommand: Command {
    static let name = "run"
    static let summary = "the whole recipe: train → quantize → emit C → build, run, compare"
    static let help = Help(
        usage: ["whittle run SPEC [-o DIR] [--model MODEL.safetensors] [--teacher-model FILE] [--target NAME]",
                "                 [--data DIR] [--epochs N] [--seed S] [--report FILE.html] [--json]",
                "whittle run MODEL.tflite -o DIR [--target NAME] [--vectors FILE [--expected FILE]] [--json]"],
        description: """
        With SPEC: the spec's stages in order. Train (or, with a distill section, load or train the
        teacher and distill the student; or load --model), prune with fine-tuning (prune section),
        quantize (post-training, or QAT with quantize.qat), emit C for the target, build it, run it
        on the test split and compare with the Swift reference (byte for byte) and with the float
        model that was saved (model.safetensors; with QAT, the QAT-trained weights are saved too, as
        model-qat.safetensors). Prints a table of every stage: accuracy, parameters, nonzeros,
        flash bytes, RAM bytes (arena + kernel scratch, + stack on a bare-metal target), the MACs
        the C executes and the dense model's.

        With MODEL.tflite: imports it (as whittle import) into DIR/model.q, emits C for the target
        into DIR/c and verifies it there: the C must equal the Swift reference on every vector, and
        the expected outputs too when given.
        """,
        options: [
            ("-o, --output DIR", "where model.safetensors, model.q and c/ go (default for SPEC: whittle-out/<spec name>)"),
            ("--model FILE", "SPEC: start from this trained checkpoint instead of training"),
            ("--teacher-model FILE", """
                SPEC with a distill section: this trained teacher checkpoint instead of the
                spec's distill.teacher.model (or training one)
                """),
            ("--target NAME", "code-generation target from targets/ (default: host)"),
            ("--data DIR", ".npy or IDX folder (default: the spec's data.dir, else the synthetic data)"),
            ("--epochs N", "override train.epochs"),
            ("--seed S", "override train.seed"),
            ("--report FILE.html", """
                an HTML report: every stage and every layer (parameters, nonzeros, MACs, flash,
                RAM), the pruning masks as density images, the quantization error per layer
                """),
            ("--vectors FILE", "MODEL.tflite: raw int8 test inputs back to back (as for whittle import)"),
            ("--expected FILE", "MODEL.tflite: raw int8 outputs the C must equal too"),
            ("--json", "print one JSON object with the figures"),
        ],
        exitCodes: [(0, "the C equals the Swift reference on every test vector"),
                    (1, "the C output differs from the Swift reference (or from --expected)"),
                    (2, "bad input or usage: an unreadable or invalid file, an unknown option, an unwritable folder")])

    static func run(_ args: inout Arguments) throws -> Int32 {
        var probe = args
        if let model = probe.optionalPositional(), TFLiteInspection.isTFLiteFile(model) {
            args = probe
            return try TFLiteRun.run(model, &args)
        }
        let bench = try Workbench(&args)
        let output = try args.output("-o", "--output", as: .folder) ?? "whittle-out/\(bench.spec.name)"
        let model = try args.option("--model")
        let teacherModel = try args.option("--teacher-model")
        let target = try args.option("--target") ?? "host"
        let json = args.flag("--json")
        let reportPath = try args.output("--report", as: .file)
        try args.finish()
        if let teacherModel {
            guard bench.spec.distill != nil else {
                throw UsageError(name, "--teacher-model needs a spec with a distill section; \(bench.specPath) has none")
            }
            guard FileManager.default.fileExists(atPath: teacherModel) else { throw UsageError(name, "--teacher-model \(teacherModel): no such file") }
        }
        var pipeline = RunPipeline(workbench: bench, output: URL(fileURLWithPath: output), model: model)
        pipeline.target = target
        pipeline.teacherModel = teacherModel
        pipeline.measureLayers = reportPath != nil
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
            let counted = report.stages.contains { $0.instructions != nil }
            var table = TextTable(["stage", "accuracy", "params", "nonzero", "flash B", "RAM B", "executed MACs", "dense MACs"]
                                  + (counted ? ["instructions"] : []))
            for s in report.stages {
                table.add([s.name, s.accuracy.map(percent) ?? "", grouped(s.parameters), grouped(s.nonzeros),
                           grouped(s.flashBytes), s.ramBytes.map(grouped) ?? "", s.executedMacs.map(grouped) ?? "", grouped(s.denseMacs)]
                          + (counted ? [s.instructions.map(grouped) ?? ""] : []))
            }
            print(table.rendered)
            print("RAM: arena + kernel scratch" + (v.measurement == nil ? "" : " + stack measured on \(v.target)")
                  + "; executed MACs: what the C's kernels run (float stages run dense in Swift)")
            if let e = v.reconstruction {
                print("C vs Swift reference: \(v.comparison.bitExact ? "bit-exact" : "MISMATCH") on \(v.comparison.vectors.grouped) vectors; reconstruction: \(ReconstructionText.line(e))")
            }
            if let a = v.accuracy {
                print(String(format: "C vs Swift reference: %@ on %@ vectors; C vs the float model saved (model.safetensors): "
                             + "top-1 agreement %.2f%%, |logit error| max %.4f mean %.4f",
                             v.comparison.bitExact ? "bit-exact" : "MISMATCH", v.comparison.vectors.grouped,
                             100 * (a.top1AgreementWithFloat ?? 0), a.maxAbsLogitError ?? 0, a.meanAbsLogitError ?? 0))
            }
            print("artifacts in \(report.folder.path): \(report.artifacts.joined(separator: ", "))")
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
        /// Of the C int8 model with the saved float model (0 without labelled vectors).
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
