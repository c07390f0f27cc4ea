import Foundation
import WhittleIR
import WhittleNN

/// `run MODEL.tflite`: import → emit → verify in one go, into one folder (model.q and c/).
enum TFLiteRun {

    struct Output: Encodable {
        var model: String
        var folder: String
        var nodes: Int
        var notes: [String]
        /// As `verify --json` prints it.
        var verify: VerifyCommand.ReportOutput
    }

    static func run(_ model: String, _ args: inout Arguments) throws -> Int32 {
        guard let output = try args.output("-o", "--output", as: .folder) else { throw UsageError(RunCommand.name, "-o DIR is required with a .tflite model") }
        let target = try args.option("--target") ?? "host"
        let stage = try TFLiteImportStage(model: model, command: RunCommand.name, &args)
        let json = args.flag("--json")
        try args.finish()
        let folder = URL(fileURLWithPath: output)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let imported = try stage.run()
        try QGraphFile.write(imported.graph, to: folder.appendingPathComponent("model.q"))
        let name = URL(fileURLWithPath: model).deletingPathExtension().lastPathComponent
        let progress = ProgressLine(quiet: json)
        let result = try CBackend(target: target, progress: progress)
            .emitAndVerify(imported.graph, modelName: name, to: folder.appendingPathComponent("c"))
        progress.clear()
        let report = result.verify
        if json {
            try Console.json(Output(model: model, folder: folder.path, nodes: imported.graph.nodes.count, notes: imported.notes,
                                    verify: VerifyCommand.ReportOutput(report)))
        } else {
            print("import  \(model) → \(folder.path)/model.q: \(imported.graph.nodes.count) nodes")
            for note in imported.notes { print("        \(note)") }
            print(VerifyCommand.text(report))
        }
        guard report.passed else {
            throw CheckFailed(description: "\(folder.path)/c: \(report.failure ?? "verification failed")")
        }
        return 0
    }
}
