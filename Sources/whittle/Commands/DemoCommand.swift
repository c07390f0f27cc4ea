import Foundation
import WhittleNN

enum DemoCommand: Command {
    static let name = "demo"
    static let summary = "train LeNet on the built-in synthetic digits and report accuracy"
    static let usage = """
    usage: whittle demo [--data DIR] [--epochs N] [--json]

    Runs examples/lenet.json on the built-in synthetic digits (no downloads), or on an IDX
    folder given with --data, and prints the test accuracy.
    """

    static func run(_ args: inout Arguments) throws -> Int32 {
        let data = try args.option("--data")
        let epochs = try args.int("--epochs")
        let json = args.flag("--json")
        try args.finish()
        let specPath = try Resources.folder("examples").appendingPathComponent("lenet.json").path
        var spec = try Spec.load(specPath)
        if data == nil { spec.data = DataSpec() } // the demo's default: synthetic digits
        spec.train.epochs = epochs ?? 3
        let source = DataSource.resolve(spec, override: data)
        let train = try source.load(.train, spec: spec), test = try source.load(.test, spec: spec)
        let graph = try spec.buildGraph(file: specPath)
        if !json { Console.note("demo: \(spec.name), \(grouped(graph.parameterCount)) parameters, on \(source.summary)") }
        let trainer = Trainer(graph: graph, recipe: spec.train)
        trainer.progress = ProgressLine(quiet: json)
        let reports = try trainer.fit(train: train, test: nil)
        let result = Evaluator.evaluate(graph, on: test)
        if json {
            try Console.json(["test_accuracy": result.accuracy, "epochs": reports.count,
                              "samples_per_second": reports.last?.samplesPerSecond ?? 0])
        } else {
            print("float LeNet test accuracy: \(percent(result.accuracy)) on \(test.count) samples")
        }
        return 0
    }
}
