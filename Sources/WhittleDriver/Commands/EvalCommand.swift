import WhittleNN

enum EvalCommand: Command {
    static let name = "eval"
    static let summary = "test accuracy of a trained float model"
    static let usage = """
    usage: whittle eval SPEC MODEL.safetensors [--data DIR] [--json]

    Loads the checkpoint into the spec's model and reports accuracy and mean cross-entropy on
    the test split (--data DIR, else the spec's data.dir, else the synthetic digits).
    """

    static func run(_ args: inout Arguments) throws -> Int32 {
        let bench = try Workbench(&args)
        let model = try args.positional("MODEL (a .safetensors checkpoint)")
        let json = args.flag("--json")
        try args.finish()
        let graph = try bench.graph(loading: model)
        let test = try bench.data(.test)
        let result = Evaluator.evaluate(graph, on: test)
        if json {
            try Console.json(Output(accuracy: result.accuracy, loss: result.loss, samples: test.count, data: test.name))
        } else {
            print("\(test.name): accuracy \(percent(result.accuracy)), loss \(String(format: "%.4f", result.loss)) on \(test.count) samples")
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
