import Foundation

enum BenchCommand: Command {
    static let name = "bench"
    static let summary = "benchmarks: training throughput against PyTorch"
    static let usage = """
    usage: whittle bench [--data DIR] [--epochs N] [--json]

    Trains the LeNet Fashion-MNIST recipe (SGD lr 0.01, momentum 0.9, batch 64) and reports
    training samples/s (median epoch) and test accuracy. When `python3 -c "import torch"`
    works, runs the same recipe in PyTorch in the same invocation and prints the ratio.
    """

    static func run(_ args: inout Arguments) throws -> Int32 {
        var training = TrainingBenchmark()
        if let d = try args.option("--data") { training.dataDirectory = d }
        if let e = try args.int("--epochs") { training.epochs = e }
        let json = args.flag("--json")
        try args.finish()

        let ours = try training.runWhittle(quiet: json)
        let peer = try training.runPyTorch()
        let ratio = peer.map { ours.medianSamplesPerSecond / $0.medianSamplesPerSecond }
        if json {
            var object: [String: Any] = ["training": ["whittle": describe(ours)]]
            if let peer, let ratio { object["training"] = ["whittle": describe(ours), "pytorch": describe(peer), "throughput_ratio": ratio] }
            try Console.json(object)
            return 0
        }
        var table = TextTable("LeNet / Fashion-MNIST, \(training.epochs) epochs", "samples/s (median)", "test accuracy")
        for r in [ours] + (peer.map { [$0] } ?? []) {
            table.add([r.name, grouped(Int(r.medianSamplesPerSecond)), percent(r.testAccuracy)])
        }
        print(table.rendered)
        if let ratio { print(String(format: "throughput ratio whittle / pytorch: %.2f×", ratio)) }
        else { print("pytorch: not installed (pip install torch), no peer run") }
        return 0
    }

    private static func describe(_ r: TrainingBenchmark.Result) -> [String: Any] {
        ["median_samples_per_second": r.medianSamplesPerSecond, "epoch_samples_per_second": r.epochRates, "test_accuracy": r.testAccuracy]
    }
}
