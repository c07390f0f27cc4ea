import WhittleNN

enum EvalCommand: Command {
    static let name = "eval"
    static let summary = "test accuracy (or an autoencoder's reconstruction error) of a trained float model"
    static let help = Help(
        usage: ["whittle eval SPEC MODEL.safetensors [--data DIR] [--json]"],
        description: """
        Loads the checkpoint into the spec's model and reports accuracy and mean cross-entropy on
        the test split. For an autoencoder (train.target "input") it reports the mean
        reconstruction error and, when the spec names data.normal_classes and the test split has
        labels, the anomaly-detection ROC AUC of that error (the other classes are the anomalies).
        """,
        options: [
            ("--data DIR", ".npy or IDX folder (default: the spec's data.dir, else the synthetic data)"),
            ("--json", "print one JSON object with the figures"),
        ],
        exitCodes: Help.workOrBadInput)

    static func run(_ args: inout Arguments) throws -> Int32 {
        let bench = try Workbench(&args)
        let model = try args.positional("MODEL (a .safetensors checkpoint)")
        let json = args.flag("--json")
        try args.finish()
        let graph = try bench.graph(loading: model)
        let test = try bench.data(.test)
        if bench.spec.train.target == .input {
            let r = ReconstructionOutput(Reconstruction.evaluate(graph, on: test, normalClasses: bench.spec.data.normalClasses),
                                         spec: bench.spec, test: test)
            if json { try Console.json(r) } else { print(r.text) }
            return 0
        }
        let progress = ProgressLine(quiet: json)
        let result = Evaluator.evaluate(graph, on: test, progress: progress)
        progress.clear()
        if json {
            try Console.json(Output(accuracy: result.accuracy, loss: result.loss, samples: test.count, data: test.name))
        } else {
            print("\(test.name): accuracy \(percent(result.accuracy)), loss \(String(format: "%.4f", result.loss)) on \(test.count.grouped) samples")
        }
        return 0
    }
}

extension EvalCommand {
    /// `eval --json`.
    struct Output: Encodable {
        var accuracy: Double
        /// Mean cross-entropy.
        var loss: Double
        var samples: Int
        /// The test split's name.
        var data: String
    }
}
