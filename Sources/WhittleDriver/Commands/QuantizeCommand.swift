import Foundation
import WhittleSupport
import WhittleIR
import WhittleNN

enum QuantizeCommand: Command {
    static let name = "quantize"
    static let summary = "post-training int8 quantization of a trained model → QGraph file"
    static let help = Help(
        usage: ["whittle quantize SPEC MODEL.safetensors -o MODEL.q [--calibration N] [--per-tensor]",
                "                      [--float32-scales] [--observer KIND] [--qat EPOCHS [--qat-lr LR] [--save-qat FILE]]",
                "                      [--vectors N] [--data DIR] [--json]",
                "whittle quantize SPEC MODEL.safetensors --compare [--qat EPOCHS] [--report FILE.html] [--data DIR] [--json]"],
        description: """
        Folds BatchNorm, fuses ReLU/ReLU6, calibrates activation ranges on N training images (the
        spec's quantize section: first or random selection, observer), and quantizes: activations
        int8 asymmetric per tensor, weights int8 symmetric per output channel, bias int32. The .q
        file also carries the test split (or its first --vectors N images) with labels and the
        float model's logits, so `whittle emit` and `whittle verify` can report accuracy.
        """,
        options: [
            ("-o, --output FILE", "the .q file to write (written atomically)"),
            ("--calibration N", "calibration images (default: the spec's quantize.calibration, 1000)"),
            ("--per-tensor", "one weight scale per layer instead of one per output channel"),
            ("--float32-scales", """
                round every scale to float32 before quantizing with it (the spec's
                quantize.float32_scales), as TFLite stores scales: `whittle export` needs it
                to write a .tflite file whose multipliers are this model's
                """),
            ("--observer KIND", "minmax, moving_average, percentile, mse or entropy (default: the spec's)"),
            ("--qat EPOCHS", """
                quantization-aware training for EPOCHS epochs after calibration (fake-quant
                weights and activations, BatchNorm on batch statistics and folded, frozen when
                training ends, observers frozen for the last epoch; SGD lr 0.001 momentum 0.9
                unless the spec's quantize.qat says otherwise); the validation logits stay the
                given float model's, so agreement is always with the model you saved
                """),
            ("--save-qat FILE", "with --qat: save the quantization-aware trained float weights as a checkpoint"),
            ("--qat-lr LR", "the QAT learning rate (overrides quantize.qat's)"),
            ("--vectors N", "validation vectors to carry: the first N test images (default: all)"),
            ("--data DIR", ".npy or IDX folder (default: the spec's data.dir, else the synthetic data)"),
            ("--compare", """
                instead of writing a file, quantize with every method (per-tensor and
                per-channel min/max, moving average, percentile, MSE, entropy, QAT), run each
                as C, and print a table beside float, dynamic int8 and a float control trained
                as long as QAT (--qat N sets the QAT epochs, default 3)
                """),
            ("--report FILE.html", "with --compare: accuracy per method and the per-layer SQNR (where quantization error enters)"),
            ("--json", "print one JSON object with the figures"),
        ],
        exitCodes: [(0, "done"), (1, "--compare: a method's C differs from its Swift reference"),
                    (2, "bad input or usage: an unreadable or invalid file, an unknown option, an unwritable output")])

    static func run(_ args: inout Arguments) throws -> Int32 {
        let bench = try Workbench(&args)
        let model = try args.positional("MODEL (a .safetensors checkpoint)")
        let output = try args.output("-o", "--output", as: .file)
        var stage = QuantizeStage(bench.spec.quantize)
        if let n = try args.int("--calibration") { stage.settings.calibration = n }
        if args.flag("--per-tensor") { stage.settings.perChannel = false }
        if args.flag("--float32-scales") { stage.settings.float32Scales = true }
        if let o = try args.option("--observer") {
            guard let kind = QuantizeSpec.Observer(rawValue: o) else {
                throw UsageError(name, "--observer must be one of \(QuantizeSpec.Observer.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            stage.settings.observer = kind
        }
        if let epochs = try args.int("--qat") {
            guard epochs > 0 else { throw UsageError(name, "--qat needs a positive number of epochs") }
            var qat = stage.settings.qat ?? QATSpec(epochs: epochs)
            qat.train.epochs = epochs
            stage.settings.qat = qat
        }
        if let lr = try args.double("--qat-lr") {
            guard lr > 0, stage.settings.qat != nil else { throw UsageError(name, "--qat-lr needs --qat N and a positive rate") }
            stage.settings.qat!.train.optimizer.lr = lr
        }
        let saveQAT = try args.output("--save-qat", as: .file)
        guard saveQAT == nil || stage.settings.qat != nil else { throw UsageError(name, "--save-qat needs --qat N (or the spec's quantize.qat)") }
        stage.vectors = try args.int("--vectors")
        let json = args.flag("--json")
        let compare = args.flag("--compare")
        let report = try args.output("--report", as: .file)
        try args.finish()
        if compare {
            var comparison = QuantizationComparison(workbench: bench, model: model)
            comparison.quiet = json
            if let epochs = stage.settings.qat?.train.epochs { comparison.qatEpochs = epochs }
            if let lr = stage.settings.qat?.train.optimizer.lr { comparison.qatLearningRate = lr }
            let rows = try comparison.run()
            if let report { try QuantizationReport(rows: rows, model: bench.spec.name).write(to: report) }
            return try presentComparison(rows, json: json)
        }
        guard report == nil else { throw UsageError(name, "--report goes with --compare") }
        guard let output else { throw UsageError(name, "missing -o MODEL.q") }

        let (graph, masks) = try bench.masked(loading: model) // QAT keeps a pruned model's zeros
        let progress = ProgressLine(quiet: json)
        let result = try stage.run(graph, source: bench.source, spec: bench.spec, masks: masks, progress: progress)
        progress.clear()
        try QGraphFile.write(result.graph, to: URL(fileURLWithPath: output))
        if let saveQAT, let qatModel = result.qatModel { try Checkpoint.save(qatModel, to: saveQAT, masks: masks) }
        result.warnings.forEach(Console.warning)
        if json {
            try Console.json(Output(output: output, result))
        } else {
            print("quantized \(bench.spec.name): \(result.graph.nodes.count) ops, calibrated on \(result.calibrationSamples) images, "
                  + "\(result.graph.validation?.count ?? 0) validation vectors; wrote \(output) (emit it for a target's RAM and flash)")
        }
        return 0
    }
}

extension QuantizeCommand {
    static func presentComparison(_ rows: [QuantizationComparison.Row], json: Bool) throws -> Int32 {
        if json {
            try Console.json(ComparisonOutput(methods: rows.map(ComparisonOutput.Method.init)))
        } else {
            var table = TextTable("method", "accuracy", "top-1 agreement", "max |logit err|", "C vs reference")
            for r in rows {
                table.add([r.method, percent(r.accuracy),
                           r.agreement.map(percent) ?? "",
                           r.maxLogitError.map { String(format: "%.4f", $0) } ?? "",
                           r.bitExact.map { $0 ? "bit-exact" : "MISMATCH" } ?? ""])
            }
            print(table.rendered)
        }
        guard rows.allSatisfy({ $0.bitExact ?? true }) else { throw CheckFailed(description: "a C model differs from its Swift reference") }
        return 0
    }
}

extension QuantizeCommand {
    /// `quantize --json`.
    struct Output: Encodable {
        var output: String
        var calibrationSamples: Int
        var validationVectors: Int
        var floatTestAccuracy: Double
        /// With QAT only.
        var fakeQuantTestAccuracy: Double?
        var warnings: [String]
        var tensors: [Tensor]

        /// A tensor's quantization and the real range its int8 values cover.
        struct Tensor: Encodable {
            var name: String
            var scale: Double
            var zeroPoint: Int
            var min: Double
            var max: Double
        }

        init(output: String, _ result: QuantizeStage.Result) {
            self.output = output
            (calibrationSamples, validationVectors) = (result.calibrationSamples, result.graph.validation?.count ?? 0)
            (floatTestAccuracy, fakeQuantTestAccuracy, warnings) = (result.floatTestAccuracy, result.fakeQuantTestAccuracy, result.warnings)
            tensors = result.graph.tensors.map {
                Tensor(name: $0.name, scale: $0.quant.scale, zeroPoint: Int($0.quant.zeroPoint),
                       min: $0.quant.dequantize(-128), max: $0.quant.dequantize(127))
            }
        }
    }

    /// `quantize --compare --json`: one entry per method, with the figures that apply to it.
    struct ComparisonOutput: Encodable {
        var methods: [Method]

        struct Method: Encodable {
            var method: String
            var accuracy: Double
            /// With the float model given (for QAT too).
            var top1Agreement: Double?
            var maxLogitError: Double?
            var bitExact: Bool?

            init(_ r: QuantizationComparison.Row) {
                (method, accuracy, top1Agreement, maxLogitError, bitExact) = (r.method, r.accuracy, r.agreement, r.maxLogitError, r.bitExact)
            }
        }
    }
}
