import Foundation
import WhittleCodegen
import WhittleIR
import WhittleNN

enum BenchCommand: Command {
    static let name = "bench"
    static let summary = "benchmarks: training throughput against PyTorch, cost of the int8 C on the host and every target"
    static let help = Help(
        usage: ["whittle bench [--data DIR] [--epochs N] [--seeds N] [--train-limit N] [--models LIST]",
                "              [--training-only] [--json]",
                "whittle bench --targets-only [--json]",
                "whittle bench --kernel-costs [--target NAME|all] [--write] [--json]",
                "whittle bench --mlperf [--json]"],
        description: """
        Trains LeNet, ResNet-8 and DS-CNN on Fashion-MNIST (examples/lenet.json and
        examples/mlperf/*-fashion.json) and reports training samples/s (median epoch) and test
        accuracy (mean over the seeds). When the Python that WHITTLE_PYTHON names (default
        python3) imports torch, trains the same specs in PyTorch (examples/peers/pytorch_spec.py,
        2 threads) with the same seeds in the same invocation, each seed's PyTorch run right after
        Whittle's, and prints the ratios.
        Then quantizes the trained LeNet, emits C for the host and reports nanoseconds and
        executed instructions (valgrind callgrind) per inference.
        Then, on every bare-metal target whose toolchain is installed (QEMU), flash, RAM and
        instructions per inference of that LeNet dense, pruned to the tutorial's per-layer
        sparsities, pruned 2:4 (both by magnitude, in int8, without fine-tuning: the costs depend
        on shapes and sparsity, not accuracy) and with 3 and 8 filters, each in the formats it
        stores; then the tutorial-pruned LeNet with formats chosen by emit --optimize size and speed.
        """,
        options: [
            ("--data DIR", "the Fashion-MNIST IDX folder (default: /usr/share/datasets/fashion-mnist)"),
            ("--epochs N", "epochs of each training run (default 5)"),
            ("--seeds N", "training runs per model and framework, seeds 0..N-1 (default 3)"),
            ("--train-limit N", "train on the first N training samples only (quick runs; the test set stays whole)"),
            ("--models LIST", """
                the models to train, comma-separated among lenet, resnet8, ds-cnn (default all;
                the host and target tables need lenet)
                """),
            ("--training-only", "the training table alone: no host or target tables"),
            ("--targets-only", "skip training and the host; the target table of a LeNet with seeded random weights"),
            ("--mlperf", """
                MLPerf Tiny's four int8 reference models (the repository's copies in
                Tests/WhittleTFLiteTests/Fixtures/mlperf-tiny, run from the repository root) on
                every bare-metal target: equal to TFLite's reference outputs, instructions and
                estimated cycles per inference, flash, RAM, arena against its lower bound, and
                the published Cortex-M4 cycles of X-CUBE-AI, Plumerai and TFLM
                """),
            ("--kernel-costs", """
                measure the instructions of every weight kernel a target runs on one-layer models
                of many shapes, densities and formats, and fit its cost table (per interior and
                border MAC, output, decoded unit and call), which emit's choose-sparse-format pass
                weighs
                """),
            ("--target NAME|all", "with --kernel-costs: the target to measure (default all)"),
            ("--write", "with --kernel-costs: put the table into targets/NAME.json as its kernelCosts"),
            ("--json", "print one JSON object with the figures"),
        ],
        exitCodes: [(0, "done"),
                    (1, "a measured model's C differs from its reference, or the PyTorch peer failed"),
                    (2, "bad input or usage: an unknown model or option, a missing data folder")])

    static func run(_ args: inout Arguments) throws -> Int32 {
        if args.flag("--kernel-costs") { return try KernelCostBench.run(&args) }
        if args.flag("--mlperf") {
            let json = args.flag("--json")
            try args.finish()
            let rows = try MLPerfTinyBench().run(quiet: json)
            if json { try Console.json(rows) } else { print(MLPerfTinyBench.table(rows)) }
            return 0
        }
        var training = TrainingBenchmark()
        if let d = try args.option("--data") { training.dataDirectory = d }
        if let e = try args.int("--epochs") { training.epochs = e }
        if let n = try args.int("--seeds") {
            guard n > 0 else { throw UsageError(name, "--seeds must be positive") }
            training.seeds = n
        }
        if let n = try args.int("--train-limit") {
            guard n > 0 else { throw UsageError(name, "--train-limit must be positive") }
            training.trainLimit = n
        }
        var models = TrainingBenchmark.Model.all
        if let list = try args.option("--models") {
            models = try list.split(separator: ",").map { key in
                guard let m = TrainingBenchmark.Model.all.first(where: { $0.key == key }) else {
                    throw UsageError(name, "--models: unknown model '\(key)' (lenet, resnet8, ds-cnn)")
                }
                return m
            }
        }
        let json = args.flag("--json")
        let targetsOnly = args.flag("--targets-only")
        let trainingOnly = args.flag("--training-only") || !models.contains { $0.key == "lenet" }
        try args.finish()
        if targetsOnly {
            return try reportTargets(TargetBenchmark.run(dense: SampleGraphs.leNet(seed: 1), resources: try WhittleResources.locate(),
                                                         progress: ProgressLine(quiet: json)),
                                     json: json ? Output() : nil)
        }

        let peerAvailable = training.pyTorchAvailable()
        var rows: [Output.Training] = []
        var leNet: Graph?
        for model in models {
            let (ours, peer) = try training.run(model, withPeer: peerAvailable, quiet: json)
            if model.key == "lenet" { leNet = ours.graph }
            let row = Output.Training(model: model.key, whittle: .init(ours), pytorch: peer.map(Output.Training.Run.init),
                                      throughputRatio: peer.map { ours.medianSamplesPerSecond / $0.medianSamplesPerSecond },
                                      accuracyDifference: peer.map { ours.testAccuracy - $0.testAccuracy })
            rows.append(row)
            if json { continue }
            var table = TextTable("\(model.title) / Fashion-MNIST, \(training.epochs) epoch\(training.epochs == 1 ? "" : "s")"
                                  + (training.trainLimit.map { ", \(grouped($0)) samples" } ?? ""),
                                  "samples/s (median)", "test accuracy (mean ± sd)", "per seed")
            for r in [ours] + (peer.map { [$0] } ?? []) {
                table.add([r.name, grouped(Int(r.medianSamplesPerSecond)),
                           percent(r.testAccuracy) + String(format: " ± %.2f", 100 * r.accuracySpread),
                           r.seedAccuracies.map(percent).joined(separator: " ")])
            }
            print(table.rendered)
            if let ratio = row.throughputRatio, let d = row.accuracyDifference {
                print(String(format: "whittle / pytorch: throughput %.2f×, accuracy %+.2f pp (%d seeds each)", ratio, 100 * d, training.seeds))
            }
            else { print("pytorch: not importable by \(training.python) (pip install torch, or set WHITTLE_PYTHON), no peer run") }
            print("")
        }
        if trainingOnly {
            if json { try Console.json(Output(training: rows)) }
            return 0
        }
        let inference = try InferenceBenchmark(dataDirectory: training.dataDirectory).run(leNet!, quiet: json)
        let targetProgress = ProgressLine(quiet: json)
        if json {
            let output = Output(training: rows, hostInference: .init(inference))
            return try reportTargets(TargetBenchmark.run(dense: inference.quantized, resources: try WhittleResources.locate(),
                                                         progress: targetProgress), json: output)
        }
        let c = inference.cost
        var host = TextTable("LeNet int8 C on the host (gcc -O2)", "ns / inference", "instructions / inference", "C int8 accuracy")
        host.add(["model_invoke", grouped(Int(c.nanosecondsPerInference)), c.instructionsPerInference.map(grouped) ?? "no valgrind",
                  inference.report.verify.accuracy?.cAccuracy.map(percent) ?? ""])
        print(host.rendered)
        print("")
        return try reportTargets(TargetBenchmark.run(dense: inference.quantized, resources: try WhittleResources.locate(),
                                                     progress: targetProgress), json: nil)
    }

    /// The per-target table, or (given the JSON output so far) the output with the target rows.
    private static func reportTargets(_ result: (rows: [TargetBenchmark.Row], skipped: String?), json: Output?) throws -> Int32 {
        if var output = json {
            output.targets = result.rows.map(Output.TargetRow.init)
            output.skipped = result.skipped
            try Console.json(output)
            return 0
        }
        var table = TextTable("LeNet int8 on the targets (QEMU)", "target", "constants B", "flash B", "RAM B", "instructions / inference", "vs dense", "bit-exact")
        let dense = Dictionary(result.rows.filter { $0.model == "dense" }.map { ($0.target, $0.instructions ?? 0) }, uniquingKeysWith: { a, _ in a })
        for row in result.rows {
            let ratio = row.instructions.flatMap { i in dense[row.target].map { String(format: "%.3f×", Double(i) / Double($0)) } } ?? ""
            table.add([row.model, row.target, grouped(row.constantBytes), grouped(row.flashBytes), grouped(row.ramBytes), row.instructions.map(grouped) ?? "n/a",
                       ratio, row.bitExact ? "yes" : "NO"])
        }
        print(table.rendered)
        if let skipped = result.skipped { print(skipped) }
        return result.rows.allSatisfy(\.bitExact) ? 0 : 1
    }
}
