import Foundation
import WhittleSupport
import WhittleCompress
import WhittleNN
import WhittleTensor

enum ReportCommand: Command {
    static let name = "report"
    static let summary = "HTML report of a model: weights, density per layer, sensitivity"
    static let help = Help(
        usage: ["whittle report SPEC MODEL.safetensors -o REPORT.html [--before DENSE.safetensors]",
                "                    [--sensitivity] [--data DIR] [--json]"],
        description: """
        Writes a self-contained HTML report (inline SVG, no scripts): test accuracy, per-layer
        weights, nonzeros, density and MACs, weight histograms, and the BatchNorm γ histogram.
        """,
        options: [
            ("-o, --output FILE", "the report to write (written atomically)"),
            ("--before FILE", "the model before compression: histograms and densities before/after"),
            ("--sensitivity", """
                also scan accuracy vs sparsity per layer (the spec's prune criterion and
                granularity, else l1 element; 2000 held-out training images)
                """),
            ("--data DIR", ".npy or IDX folder (default: the spec's data.dir, else the synthetic data)"),
            ("--json", "print one JSON object with the figures"),
        ],
        exitCodes: Help.workOrBadInput)

    static func run(_ args: inout Arguments) throws -> Int32 {
        let bench = try Workbench(&args)
        let model = try args.positional("MODEL (a .safetensors checkpoint)")
        let output = try args.output("-o", "--output", as: .file)
        let beforePath = try args.option("--before")
        let scan = args.flag("--sensitivity")
        let json = args.flag("--json")
        try args.finish()
        guard let output else { throw UsageError(name, "missing -o REPORT.html") }

        let (graph, masks) = try bench.masked(loading: model)
        let before = try beforePath.map { try bench.graph(loading: $0) }
        let test = try bench.data(.test)
        let progress = ProgressLine(quiet: json)
        let accuracy = Evaluator.evaluate(graph, on: test, progress: progress).accuracy
        let accuracyBefore = before.map { Evaluator.evaluate($0, on: test, progress: progress).accuracy }
        progress.clear()
        let layers = LayerSparsity.measure(graph), layersBefore = before.map(LayerSparsity.measure) ?? layers
        let weights = Dictionary(uniqueKeysWithValues: PrunableLayer.all(in: graph).map { ($0.name, $0.weight.value.storage) })
        let weightsBefore = before.map { b in Dictionary(uniqueKeysWithValues: PrunableLayer.all(in: b).map { ($0.name, $0.weight.value.storage) }) }

        var curves: [SensitivityCurve] = []
        if scan {
            // Magnitude scores at the spec's granularity, where one applies layer by layer.
            let granularity: PruneGranularity = switch bench.spec.prune?.granularity {
            case .vector?: .vector
            case .kernel?: .kernel
            default: .element
            }
            let criterion: PruneCriterion = bench.spec.prune?.criterion == .l2 ? .l2 : .l1
            let train = try bench.data(.train)
            let held = train.subset(Array(max(0, train.count - 2000)..<train.count))
            let names = PrunableLayer.all(in: graph).map(\.name)
            curves = try SensitivityScan.run(graph, layers: names, sparsities: SensitivitySpec.defaultSparsities, granularity: granularity,
                                             rootMean: PruneScores.groupsUseRootMean(criterion), masks: masks,
                                             scores: { try PruneScores.compute(criterion, layers: PrunableLayer.all(in: graph)) },
                                             evaluate: { Evaluator.evaluate($0, on: held).accuracy },
                                             progress: { progress.update("sensitivity scan " + ProgressLine.bar($0)) })
            progress.finish("sensitivity scan: \(names.count) layers × \(SensitivitySpec.defaultSparsities.count) sparsities")
        }

        var r = HTMLReport(title: "Whittle model report: \(bench.spec.name)")
        r.paragraph("\(model)" + (beforePath.map { " against \($0)" } ?? "") + ", on \(test.name) (\(test.count) test samples).")
        r.heading("Accuracy")
        r.table(["model", "test accuracy"], (accuracyBefore.map { [["before", percent($0)]] } ?? []) + [[beforePath == nil ? "model" : "after", percent(accuracy)]])
        r.heading("Layers")
        r.layerTable(before: layersBefore, after: layers)
        r.densityBars(before: layersBefore, after: layers)
        r.densityImages(WeightDensityMap.all(in: graph))
        r.heading("Weights")
        r.weightHistograms(layers.map(\.name), before: weightsBefore ?? [:], after: weights)
        let gammas = NetworkSlimming.gammas(graph)
        if !gammas.isEmpty {
            r.heading("BatchNorm scales")
            r.figures([SVGChart.histogram(gammas.map { ($0.layer, $0.values.map { abs($0) }) }, bins: 40, title: "|γ| per BatchNorm", xLabel: "|γ|")])
        }
        r.sensitivityCurves(curves)
        try r.write(to: output)

        if json {
            try Console.json(Output(report: output, accuracy: accuracy, accuracyBefore: accuracyBefore,
                                    layers: layers.map(Output.Layer.init), sensitivity: curves.map(Output.Curve.init)))
        } else {
            print("\(bench.spec.name): accuracy \(percent(accuracy))" + (accuracyBefore.map { " (before: \(percent($0)))" } ?? "") + "; wrote \(output)")
        }
        return 0
    }
}

extension ReportCommand {
    /// `report --json`: the figures the page shows.
    struct Output: Encodable {
        var report: String
        var accuracy: Double
        /// With --before.
        var accuracyBefore: Double?
        var layers: [Layer]
        /// With --sensitivity; empty otherwise.
        var sensitivity: [Curve]

        struct Layer: Encodable {
            var name: String
            var weights: Int
            var nonzero: Int
            var density: Double
            var macs: Int
            var sparseMacs: Int

            init(_ l: LayerSparsity) {
                (name, weights, nonzero, density, macs, sparseMacs) = (l.name, l.weights, l.nonzeroWeights, l.density, l.macs, l.sparseMACs)
            }
        }

        /// Accuracy against sparsity for one layer: `points` are [sparsity, accuracy] pairs.
        struct Curve: Encodable {
            var layer: String
            var points: [[Double]]

            init(_ c: SensitivityCurve) { (layer, points) = (c.layer, c.points.map { [$0.sparsity, $0.accuracy] }) }
        }
    }
}
