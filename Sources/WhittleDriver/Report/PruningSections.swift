import WhittleCompress
import WhittleNN

/// Report sections about sparsity, shared by `whittle prune --report` and `whittle report`.
extension HTMLReport {
    /// Per-layer sizes before and after, matched by name.
    mutating func layerTable(before: [LayerSparsity], after: [LayerSparsity], asked: [String: Double] = [:]) {
        var rows: [[String]] = []
        for a in after {
            let b = before.first { $0.name == a.name } ?? a
            rows.append([a.name, a.kind, asked[a.name].map { PruneText.ratio($0) } ?? "",
                         b.outputs == a.outputs ? "\(a.outputs)" : "\(b.outputs) → \(a.outputs)",
                         grouped(b.weights), grouped(a.weights), grouped(a.nonzeroWeights), percent(Double(a.nonzeroWeights) / Double(max(b.weights, 1))),
                         grouped(b.macs), grouped(a.sparseMACs)])
        }
        let tb = before.reduce(0) { $0 + $1.weights }, ta = after.reduce(0) { $0 + $1.weights }
        let nz = after.reduce(0) { $0 + $1.nonzeroWeights }
        rows.append(["total", "", "", "", grouped(tb), grouped(ta), grouped(nz), percent(Double(nz) / Double(max(tb, 1))),
                     grouped(before.reduce(0) { $0 + $1.macs }), grouped(after.reduce(0) { $0 + $1.sparseMACs })])
        table(["layer", "type", "sparsity asked", "outputs", "weights before", "weights after", "nonzero", "density",
               "MACs before", "MACs after (nonzero)"], rows)
    }

    /// Bars of the fraction of each layer's original weights that are still nonzero.
    mutating func densityBars(before: [LayerSparsity], after: [LayerSparsity]) {
        let rows = after.map { a -> (String, [Double], String) in
            let total = before.first { $0.name == a.name }?.weights ?? a.weights
            let d = Double(a.nonzeroWeights) / Double(max(total, 1))
            return (a.name, [100 * d], "\(percent(d)) of \(grouped(total))")
        }
        figures([SVGChart.bars(rows, range: 0...100, title: "Density: nonzero weights / original weights", axisLabel: "%")])
    }

    /// Per layer, where the nonzero weights are, as an image (`WeightDensityMap`); nothing when
    /// no weight is zero.
    mutating func densityImages(_ maps: [WeightDensityMap]) {
        guard maps.contains(where: { $0.density < 1 }) else { return }
        heading("Where the nonzero weights are")
        paragraph("Each layer's weights as a matrix: one row per output channel, one column per input weight (a conv's "
                  + "taps side by side), large layers binned. Dark: kept; white: pruned. Whole white rows are removed "
                  + "filters, white column bands removed input channels.")
        captionedFigures(maps.map { m in
            (SVGChart.densityImage(m, title: "\(m.layer): \(percent(m.density)) nonzero"),
             "\(m.outputs) × \(m.fanIn) weights" + (m.rows < m.outputs || m.columns < m.fanIn ? ", shown as \(m.rows) × \(m.columns) cells" : ""))
        })
    }

    /// Per layer: the weights before pruning and the nonzero weights after.
    mutating func weightHistograms(_ names: [String], before: [String: [Float]], after: [String: [Float]]) {
        figures(names.map { name in
            let series = [("before", before[name] ?? []), ("after, nonzero", (after[name] ?? []).filter { $0 != 0 })]
            return SVGChart.histogram(series.filter { !$0.1.isEmpty }, bins: 50, title: "\(name) weights", xLabel: "weight",
                                      width: 400, height: 220)
        })
    }

    /// Accuracy against sparsity, one line per layer pruned alone.
    mutating func sensitivityCurves(_ curves: [SensitivityCurve], chosen: [String: Double] = [:]) {
        guard !curves.isEmpty else { return }
        heading("Sensitivity scan")
        paragraph("Each layer pruned alone (one shot, no fine-tuning), accuracy on held-out training images. "
                  + (chosen.isEmpty ? "" : "Chosen: " + curves.map { "\($0.layer) \(PruneText.ratio(chosen[$0.layer] ?? 0))" }.joined(separator: ", ") + "."))
        figures([SVGChart.lines(curves.map { c in (c.layer, c.points.map { (x: $0.sparsity, y: 100 * $0.accuracy) }) },
                                title: "accuracy vs sparsity, per layer", xLabel: "sparsity", yLabel: "accuracy (%)", width: 560, height: 320)])
    }

    /// Network slimming: |γ| before and after sparsity training, and the channels removed.
    mutating func gammaHistograms(_ slimming: SlimmingOutcome) {
        heading("Network slimming: BatchNorm scales")
        let before = slimming.gammasBefore.flatMap { $0.values.map { abs($0) } }
        let after = slimming.gammasAfter.flatMap { $0.values.map { abs($0) } }
        var removed: [Float] = [], kept: [Float] = []
        for (layer, values) in slimming.gammasAfter {
            let cut = Set(slimming.pruned[layer] ?? [])
            for (c, v) in values.enumerated() { if cut.contains(c) { removed.append(abs(v)) } else { kept.append(abs(v)) } }
        }
        let threshold = removed.max().map(Double.init)
        paragraph("|γ| of every BatchNorm channel. Removed: \(removed.count) of \(removed.count + kept.count) channels"
                  + (threshold.map { String(format: ", the largest removed |γ| is %.4g", $0) } ?? "") + ".")
        figures([
            SVGChart.histogram([("before", before), ("after", after)], bins: 40, title: "|γ| before and after sparsity training", xLabel: "|γ|"),
            SVGChart.histogram([("kept", kept), ("removed", removed)], bins: 40, title: "|γ| after sparsity training", xLabel: "|γ|", marker: threshold),
        ])
    }

    /// Test accuracy after each training epoch, for each phase.
    mutating func trainingCurves(_ phases: [(label: String, reports: [EpochReport])]) {
        let series = phases.filter { !$0.reports.isEmpty }.map { p in
            (p.label, p.reports.compactMap { r in r.testAccuracy.map { (x: Double(r.epoch), y: 100 * $0) } })
        }
        guard !series.isEmpty else { return }
        figures([SVGChart.lines(series, title: "test accuracy per epoch", xLabel: "epoch", yLabel: "accuracy (%)")])
    }
}

/// Number formatting for pruning output.
enum PruneText {
    /// A sparsity such as 0.85 or 0.7426 (up to four decimals).
    static func ratio(_ x: Double) -> String {
        var s = String(format: "%.4f", x)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
