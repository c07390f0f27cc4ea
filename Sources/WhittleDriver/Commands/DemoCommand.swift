import Foundation
import WhittleSupport
import WhittleNN

enum DemoCommand: Command {
    static let name = "demo"
    static let summary = "the whole pipeline on built-in synthetic digits (no downloads)"
    static let usage = """
    usage: whittle demo [--data DIR] [--epochs N] [-o DIR] [--json]

    Runs examples/lenet.json end to end — train → quantize (int8, per-channel) → emit C →
    gcc build → run → compare with the Swift reference and the float model — on the built-in
    synthetic digits, or on an IDX folder given with --data. Prints the stage table.

      -o DIR   artifacts folder (default: a fresh temporary folder)
    """

    static func run(_ args: inout Arguments) throws -> Int32 {
        let data = try args.option("--data")
        let epochs = try args.int("--epochs")
        let output = try args.output("-o", "--output", as: .folder)
        let json = args.flag("--json")
        try args.finish()
        var tokens = [try Resources.folder("examples").appendingPathComponent("lenet.json").path,
                      "--epochs", String(epochs ?? (data == nil ? 4 : 5))]
        if let data { tokens += ["--data", data] }
        var forwarded = Arguments(command: name, tokens: tokens)
        var bench = try Workbench(&forwarded)
        if data == nil { bench.spec.data = DataSpec() } // the demo's default: synthetic digits
        let folder = output.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("whittle-demo-\(ProcessInfo.processInfo.processIdentifier)")
        if !json { Console.note("demo: \(bench.spec.name) on \(bench.source.summary) → \(folder.path)") }
        var pipeline = RunPipeline(workbench: bench, output: folder)
        pipeline.quiet = json
        return try RunCommand.present(pipeline.run(), json: json)
    }
}
