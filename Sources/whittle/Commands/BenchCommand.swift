import Foundation

enum BenchCommand: Command {
    static let name = "bench"
    static let summary = "benchmarks: training throughput against PyTorch, host cost of the int8 C"
    static let usage = """
    usage: whittle bench [--data DIR] [--epochs N] [--json]

    Trains the LeNet Fashion-MNIST recipe (SGD lr 0.01, momentum 0.9, batch 64) and reports
    training samples/s (median epoch) and test accuracy. When `python3 -c "import torch"`
    works, runs the same recipe in PyTorch in the same invocation and prints the ratio.
    Then quantizes the trained LeNet, emits C for the host and reports nanoseconds and
    executed instructions (valgrind callgrind) per inference.
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
        let inference = try InferenceBenchmark(dataDirectory: training.dataDirectory).run(ours.graph!, quiet: true)
        if json {
            var object: [String: Any] = ["training": ["whittle": describe(ours)]]
            if let peer, let ratio { object["training"] = ["whittle": describe(ours), "pytorch": describe(peer), "throughput_ratio": ratio] }
            object["host_inference"] = ["ns_per_inference": inference.cost.nanosecondsPerInference,
                                        "instructions_per_inference": inference.cost.instructionsPerInference ?? 0,
                                        "c_int8_accuracy": inference.report.verify.accuracy?.cAccuracy ?? 0,
                                        "bit_exact": inference.report.verify.comparison.bitExact]
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
        let c = inference.cost
        print("")
        var host = TextTable("LeNet int8 C on the host (gcc -O2)", "ns / inference", "instructions / inference", "C int8 accuracy")
        host.add(["model_invoke", grouped(Int(c.nanosecondsPerInference)), c.instructionsPerInference.map(grouped) ?? "no valgrind",
                  inference.report.verify.accuracy?.cAccuracy.map(percent) ?? ""])
        print(host.rendered)
        return 0
    }

    private static func describe(_ r: TrainingBenchmark.Result) -> [String: Any] {
        ["median_samples_per_second": r.medianSamplesPerSecond, "epoch_samples_per_second": r.epochRates, "test_accuracy": r.testAccuracy]
    }
}
