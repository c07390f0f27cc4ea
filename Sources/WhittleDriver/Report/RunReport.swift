/// The HTML report of `whittle run`: accuracy, flash and MACs per stage of the recipe.
struct RunReport {
    var report: RunPipeline.Report
    var model: String

    func write(to path: String) throws {
        var html = HTMLReport(title: "Whittle recipe report: \(model)")
        let stages = report.stages
        html.heading("Accuracy per stage")
        html.figures([
            SVGChart.bars(stages.map { ($0.name, $0.accuracy ?? 0, $0.accuracy.map(percent) ?? "") },
                          maximum: stages.compactMap(\.accuracy).max() ?? 1, title: "test accuracy", width: 640),
            SVGChart.bars(stages.map { ($0.name, Double($0.flashBytes), "\($0.flashBytes.grouped) B") },
                          maximum: Double(stages.map(\.flashBytes).max() ?? 1), title: "constant data (flash)", width: 640),
            SVGChart.bars(stages.map { ($0.name, Double($0.macs), $0.macs.grouped) },
                          maximum: Double(stages.map(\.macs).max() ?? 1), title: "multiply-accumulates per inference", width: 640),
        ])
        html.table(["stage", "accuracy", "parameters", "nonzeros", "flash B", "RAM B", "MACs"], stages.map { s in
            [s.name, s.accuracy.map(percent) ?? "", s.parameters.grouped, s.nonzeros.grouped, s.flashBytes.grouped,
             s.ramBytes.map(\.grouped) ?? "", s.macs.grouped]
        })
        let v = report.verify
        html.paragraph("C vs Swift reference: \(v.comparison.bitExact ? "bit-exact" : "MISMATCH") on \(v.comparison.vectors) vectors."
                       + (v.accuracy?.top1AgreementWithFloat.map { " Top-1 agreement with the float (or fake-quantized) model: \(percent($0))." } ?? ""))
        try html.write(to: path)
    }
}
