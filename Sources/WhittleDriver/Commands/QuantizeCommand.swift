import Foundation
import WhittleSupport
import WhittleIR
import WhittleNN

enum QuantizeCommand: Command {
    static let name = "quantize"
    static let summary = "post-training int8 quantization of a trained model → QGraph file"
    static let usage = """
    usage: whittle quantize SPEC MODEL.safetensors -o MODEL.q [--calibration N] [--per-tensor]
                            [--observer KIND] [--qat EPOCHS [--qat-lr LR]] [--vectors N]
                            [--data DIR] [--json]
           whittle quantize SPEC MODEL.safetensors --compare [--qat EPOCHS] [--report FILE.html] [--json]

    Folds BatchNorm, fuses ReLU/ReLU6, calibrates activation ranges on N training images (the
    spec's quantize section: first or random selection, observer), and quantizes: activations int8 asymmetric per tensor, weights int8
    symmetric per output channel (--per-tensor: one scale per layer), bias int32. The .q file
    also carries the test split (or its first --vectors N images) with labels and the float
    model's logits, so `whittle emit` and `whittle verify` can report accuracy.

      --calibration N   calibration images (default: the spec's quantize.calibration, 1000)
      --compare         instead of writing a file, quantize with every method (per-tensor and
                        per-channel min/max, moving average, percentile, MSE, entropy, QAT), run
                        each as C, and print a table beside float, dynamic int8 and a float
                        control trained as long as QAT (--qat N sets the QAT epochs, default 3);
                        --report FILE.html draws accuracy per method and the per-layer SQNR
                        (where quantization error enters)
      --observer KIND   minmax, moving_average, percentile, mse or entropy (default: the spec's)
      --qat EPOCHS      quantization-aware training for EPOCHS epochs after calibration (fake-quant
                        weights and activations, BatchNorm folded and frozen, observers frozen for
                        the last epoch; SGD lr 0.001 momentum 0.9 unless the spec's quantize.qat says
                        otherwise); the validation logits are then the fake-quantized model's
    """

    static func run(_ args: inout Arguments) throws -> Int32 {
        let bench = try Workbench(&args)
        let model = try args.positional("MODEL (a .safetensors checkpoint)")
        let output = try args.output("-o", "--output", as: .file)
        var stage = QuantizeStage(bench.spec.quantize)
        if let n = try args.int("--calibration") { stage.settings.calibration = n }
        if args.flag("--per-tensor") { stage.settings.perChannel = false }
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

        let graph = try bench.graph(loading: model)
        let result = try stage.run(graph, source: bench.source, spec: bench.spec, progress: ProgressLine(quiet: json))
        try QGraphFile.write(result.graph, to: URL(fileURLWithPath: output))
        result.warnings.forEach(Console.warning)
        if json {
            try Console.json(["output": output, "calibration_samples": result.calibrationSamples,
                              "validation_vectors": result.graph.validation?.count ?? 0,
                              "float_test_accuracy": result.floatTestAccuracy,
                              "fake_quant_test_accuracy": result.fakeQuantTestAccuracy ?? NSNull(), "warnings": result.warnings,
                              "tensors": result.graph.tensors.map { t -> [String: Any] in
                                  let q = t.quant
                                  return ["name": t.name, "scale": q.scale, "zero_point": Int(q.zeroPoint),
                                          "min": q.dequantize(-128), "max": q.dequantize(127)]
                              }])
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
            try Console.json(["methods": rows.map { r -> [String: Any] in
                var o: [String: Any] = ["method": r.method, "accuracy": r.accuracy]
                if let a = r.agreement { o["top1_agreement"] = a; o["agreement_with"] = r.agreementWith }
                if let e = r.maxLogitError { o["max_logit_error"] = e }
                if let b = r.bitExact { o["bit_exact"] = b }
                return o
            }])
        } else {
            var table = TextTable("method", "accuracy", "top-1 agreement", "max |logit err|", "C vs reference")
            for r in rows {
                table.add([r.method, percent(r.accuracy),
                           r.agreement.map { percent($0) + (r.agreementWith == "float" ? "" : " (vs \(r.agreementWith))") } ?? "",
                           r.maxLogitError.map { String(format: "%.4f", $0) } ?? "",
                           r.bitExact.map { $0 ? "bit-exact" : "MISMATCH" } ?? ""])
            }
            print(table.rendered)
        }
        guard rows.allSatisfy({ $0.bitExact ?? true }) else { throw CheckFailed(description: "a C model differs from its Swift reference") }
        return 0
    }
}
