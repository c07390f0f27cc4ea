import Foundation
import WhittleSupport
import WhittleCompress
import WhittleNN
import WhittleTensor

enum PruneCommand: Command {
    static let name = "prune"
    static let summary = "prune a trained model per the spec's prune section, fine-tune, save"
    static let help = Help(
        usage: ["whittle prune SPEC MODEL.safetensors -o PRUNED.safetensors [--data DIR] [--control]",
                "                   [--report FILE.html] [--json]"],
        description: """
        Prunes the model as the spec's `prune` section says (criterion, granularity, scope, ratios
        or a sensitivity scan, one-shot or cubic schedule, fine-tuning with the masks held,
        network slimming), removes pruned channels and filters physically (structured surgery),
        and prints per-layer density and accuracy before and after. The checkpoint keeps the
        masks as PyTorch does (`conv1.weight_mask`) unless prune.keep_masks is false; a model
        with removed filters loads with the same SPEC (widths are read from the checkpoint).
        """,
        options: [
            ("-o, --output FILE", "pruned checkpoint to write (written atomically)"),
            ("--data DIR", ".npy or IDX folder, e.g. /usr/share/datasets/fashion-mnist"),
            ("--control", """
                also train the unpruned model for the same total epochs and report the
                difference (the honest baseline)
                """),
            ("--report FILE.html", """
                write an HTML report: weight histograms before/after, density per layer,
                sensitivity curves, BatchNorm γ histograms for slimming
                """),
            ("--json", "print one JSON object with the figures"),
        ],
        exitCodes: Help.workOrBadInput)

    static func run(_ args: inout Arguments) throws -> Int32 {
        let bench = try Workbench(&args)
        let model = try args.positional("MODEL (a .safetensors checkpoint)")
        let output = try args.output("-o", "--output", as: .file)
        let reportPath = try args.output("--report", as: .file)
        let control = args.flag("--control")
        let json = args.flag("--json")
        try args.finish()
        guard let output else { throw UsageError(name, "missing -o PRUNED.safetensors") }
        guard let spec = bench.spec.prune else {
            throw UsageError(name, "\(bench.specPath) has no 'prune' section (see examples/prune-*.json)")
        }

        let (graph, masks) = try bench.masked(loading: model)
        let train = try bench.data(.train), test = try bench.data(.test)
        var run = PruneRun(spec, file: bench.specPath)
        run.progress = ProgressLine(quiet: json)
        if !json { Console.note("pruning \(bench.spec.name): \(describe(spec)), on \(bench.source.summary)") }
        let outcome = try run.run(graph, masks: masks, train: train, test: test)
        let controlAccuracy = try control ? run.trainControl(try bench.graph(loading: model), train: train, test: test) : nil
        run.progress?.clear()

        let after = LayerSparsity.measure(outcome.graph)
        let summaryAfter = ModelSummary(outcome.graph)
        try Checkpoint.save(outcome.graph, to: output, metadata: metadata(spec, outcome), masks: outcome.masks)
        if let reportPath {
            try report(bench.spec.name, spec, outcome, after: after, control: controlAccuracy).write(to: reportPath)
        }

        let asked = Dictionary(uniqueKeysWithValues: outcome.ratios.map { ($0.layer, $0.sparsity) })
        if json {
            try Console.json(Output(model: bench.spec.name, output: output, outcome, after: after, summaryAfter: summaryAfter,
                                    asked: asked, control: controlAccuracy))
            return 0
        }
        print(table(outcome, after: after, asked: asked))
        let parameters = "parameters \(grouped(outcome.before.totalParameters)) → \(grouped(summaryAfter.totalParameters)), "
            + "nonzero weights \(grouped(outcome.layersBefore.reduce(0) { $0 + $1.nonzeroWeights })) → \(grouped(after.reduce(0) { $0 + $1.nonzeroWeights })), "
            + "MACs \(grouped(outcome.before.totalMACs)) → \(grouped(summaryAfter.totalMACs)) dense, \(grouped(after.reduce(0) { $0 + $1.sparseMACs })) nonzero"
        print(parameters)
        var accuracy = "accuracy: before \(percent(outcome.accuracyBefore))"
        if let s = outcome.slimming { accuracy += ", after slimming training \(percent(s.accuracy))" }
        accuracy += ", pruned \(percent(outcome.accuracyPruned)), after \(outcome.fineTuning.count) fine-tuning epochs \(percent(outcome.accuracyAfter))"
        print(accuracy)
        if let c = controlAccuracy {
            print(String(format: "dense control (%d more epochs, same recipe): %@; pruned − control = %+.2f pp",
                         outcome.epochs, percent(c), 100 * (outcome.accuracyAfter - c)))
        }
        print("saved \(output)" + (outcome.masks.isEmpty ? "" : " with \(outcome.masks.count) masks") + (reportPath.map { "; report \($0)" } ?? ""))
        return 0
    }

    static func describe(_ spec: PruneSpec) -> String {
        var parts = ["\(spec.granularity) \(spec.criterion.rawValue)", spec.scope.rawValue]
        switch spec.schedule {
        case .oneShot: parts.append("one-shot")
        case .cubic(_, let steps, let epochs): parts.append("cubic schedule, \(steps) steps over \(epochs) epochs")
        }
        if let ft = spec.fineTune { parts.append("\(ft.epochs) fine-tuning epochs") }
        if let s = spec.slimming {
            parts.append("slimming (\(s.polarization.map { "polarization t=\($0)" } ?? "L1") λ=\(s.penalty)) for \(s.train.epochs) epochs")
        }
        return parts.joined(separator: ", ")
    }

    static func table(_ outcome: PruneOutcome, after: [LayerSparsity], asked: [String: Double]) -> String {
        var t = TextTable("layer", "type", "asked", "outputs", "weights", "nonzero", "density", "MACs", "MACs nonzero")
        for a in after {
            let b = outcome.layersBefore.first { $0.name == a.name } ?? a
            t.add([a.name, a.kind, asked[a.name].map(PruneText.ratio) ?? "",
                   b.outputs == a.outputs ? "\(a.outputs)" : "\(b.outputs) → \(a.outputs)",
                   b.weights == a.weights ? grouped(a.weights) : "\(grouped(b.weights)) → \(grouped(a.weights))",
                   grouped(a.nonzeroWeights), percent(Double(a.nonzeroWeights) / Double(max(b.weights, 1))),
                   b.macs == a.macs ? grouped(a.macs) : "\(grouped(b.macs)) → \(grouped(a.macs))", grouped(a.sparseMACs)])
        }
        return t.rendered
    }

    /// Recorded in the checkpoint's `__metadata__`, so later stages know how it was pruned.
    static func metadata(_ spec: PruneSpec, _ outcome: PruneOutcome) -> [String: String] {
        ["whittle.prune.granularity": spec.granularity.description, "whittle.prune.criterion": spec.criterion.rawValue,
         "whittle.prune.layers": outcome.ratios.map(\.layer).joined(separator: ",")]
    }

    static func report(_ model: String, _ spec: PruneSpec, _ outcome: PruneOutcome, after: [LayerSparsity], control: Double?) -> HTMLReport {
        var r = HTMLReport(title: "Whittle pruning report: \(model)")
        r.paragraph(describe(spec) + ".")
        var rows = [["before pruning", percent(outcome.accuracyBefore)]]
        if let s = outcome.slimming { rows.append(["after slimming training", percent(s.accuracy)]) }
        rows.append(["pruned, before fine-tuning", percent(outcome.accuracyPruned)])
        rows.append(["pruned, after \(outcome.fineTuning.count) fine-tuning epochs", percent(outcome.accuracyAfter)])
        if let c = control { rows.append(["dense control, same \(outcome.epochs) epochs", percent(c)]) }
        r.heading("Accuracy")
        r.table(["model", "test accuracy"], rows)
        r.trainingCurves([("slimming", outcome.slimming?.epochs ?? []), ("fine-tuning", outcome.fineTuning)])
        r.heading("Layers")
        r.layerTable(before: outcome.layersBefore, after: after, asked: Dictionary(uniqueKeysWithValues: outcome.ratios.map { ($0.layer, $0.sparsity) }))
        r.densityBars(before: outcome.layersBefore, after: after)
        r.densityImages(WeightDensityMap.all(in: outcome.graph))
        r.heading("Weights before and after")
        let afterWeights = Dictionary(uniqueKeysWithValues: PrunableLayer.all(in: outcome.graph).map { ($0.name, $0.weight.value.storage) })
        r.weightHistograms(outcome.ratios.map(\.layer), before: outcome.weightsBefore, after: afterWeights)
        r.sensitivityCurves(outcome.sensitivity, chosen: Dictionary(uniqueKeysWithValues: outcome.ratios.map { ($0.layer, $0.sparsity) }))
        if let s = outcome.slimming { r.gammaHistograms(s) }
        return r
    }
}
