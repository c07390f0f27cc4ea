import Foundation
import WhittleSupport
import WhittleNN

enum DemoCommand: Command {
    static let name = "demo"
    static let summary = "the whole pipeline on built-in synthetic digits (no downloads)"
    static let help = Help(
        usage: ["whittle demo [--data DIR] [--epochs N] [-o DIR] [--json]"],
        description: """
        Runs examples/lenet.json end to end — train → quantize (int8, per-channel) → emit C →
        gcc build → run → compare with the Swift reference and the float model — on the built-in
        synthetic digits, or on an IDX folder given with --data. Prints the stage table.
        """,
        options: [
            ("--data DIR", "IDX or .npy folder to train and test on (default: built-in synthetic digits)"),
            ("--epochs N", "training epochs (default: 4 on synthetic data, 5 on real data)"),
            ("-o, --output DIR", "artifacts folder (default: \(defaultFolder), overwritten on each run)"),
            ("--json", "print one JSON object with the figures"),
        ],
        exitCodes: [(0, "the C equals the Swift reference on every test vector"),
                    (1, "the C output differs from the Swift reference"),
                    (2, "bad input or usage: an unreadable data folder, an unknown option, an unwritable folder")])

    /// Under the ignored whittle-out/, one folder that each demo overwrites (no temporaries left).
    static let defaultFolder = "whittle-out/demo"

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
        let folder = URL(fileURLWithPath: output ?? defaultFolder)
        if !json { Console.note("demo: \(bench.spec.name) on \(bench.source.summary) → \(folder.path)") }
        var pipeline = RunPipeline(workbench: bench, output: folder)
        pipeline.quiet = json
        return try RunCommand.present(pipeline.run(), json: json)
    }
}
