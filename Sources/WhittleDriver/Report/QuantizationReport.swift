/// The HTML report of `quantize --compare`: accuracy per method, and per layer the SQNR of the
/// int8 tensor against float — a drop between two layers is where quantization error enters.
struct QuantizationReport {
    var rows: [QuantizationComparison.Row]
    var model: String

    func write(to path: String) throws {
        var html = HTMLReport(title: "Whittle quantization report: \(model)")
        html.heading("Accuracy per method")
        html.figures([SVGChart.bars(rows.map { ($0.method, [100 * $0.accuracy], percent($0.accuracy)) },
                                    range: SVGChart.differenceRange(rows.map { 100 * $0.accuracy }),
                                    title: "Test accuracy (C int8 where marked (C))", axisLabel: "test accuracy (%)", width: 720)])
        html.table(["method", "accuracy", "top-1 agreement", "max |logit error|", "C vs reference"], rows.map { r in
            [r.method, percent(r.accuracy), r.agreement.map(percent) ?? "",
             r.maxLogitError.map { String(format: "%.4f", $0) } ?? "", r.bitExact.map { $0 ? "bit-exact" : "MISMATCH" } ?? ""]
        })
        let profiled = rows.filter { !$0.profile.isEmpty }
        guard let layers = profiled.first?.profile.map(\.name) else { return try html.write(to: path) }
        html.heading("Where quantization error enters")
        html.paragraph("SQNR (dB) of each op's int8 output, run end to end by the reference interpreter, against the float model "
                       + "at the same point. Layers in order: " + layers.enumerated().map { "\($0 + 1) \($1)" }.joined(separator: ", ") + ".")
        html.figures([SVGChart.lines(profiled.map { r in
            (r.method, r.profile.enumerated().map { (x: Double($0 + 1), y: $1.sqnrDecibels) })
        }, title: "SQNR per layer", xLabel: "layer", yLabel: "SQNR dB", width: 720, height: 320)])
        html.table(["method"] + layers, profiled.map { r in [r.method] + r.profile.map { String(format: "%.1f dB", $0.sqnrDecibels) } })
        try html.write(to: path)
    }
}
