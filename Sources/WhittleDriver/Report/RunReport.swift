import Foundation
import WhittleCodegen

/// The HTML report of `whittle run`, for deciding what to ship: the verdict first, then what
/// each stage of the recipe gave (the teacher apart: it is not shipped), then the C model layer
/// by layer, where its pruned weights are, and where quantization error enters.
struct RunReport {
    var report: RunPipeline.Report
    var model: String

    func write(to path: String) throws {
        var html = HTMLReport(title: "Whittle recipe report: \(model)")
        verdict(&html)
        stages(&html)
        teacher(&html)
        layers(&html)
        html.densityImages(report.densityMaps)
        quantizationError(&html)
        try html.write(to: path)
    }

    private var shipped: RunPipeline.Stage? { report.stages.last }

    private func verdict(_ html: inout HTMLReport) {
        let v = report.verify
        var text = "The int8 C for \(v.target) is \(v.comparison.bitExact ? "bit-exact" : "NOT bit-exact") with the Swift "
            + "reference on \(v.comparison.vectors.grouped) test vectors."
        if let s = shipped {
            text += " Flash \(s.flashBytes.grouped) B, RAM \((s.ramBytes ?? 0).grouped) B, "
                + "\((s.executedMacs ?? s.denseMacs).grouped) MACs executed per inference (dense: \(s.denseMacs.grouped))"
                + (s.instructions.map { ", \($0.grouped) instructions" } ?? "") + "."
        }
        if let a = v.accuracy, let c = a.cAccuracy {
            text += " Test accuracy \(percent(c))" + (a.floatAccuracy.map { " against the saved float model's \(percent($0))" } ?? "")
                + (a.top1AgreementWithFloat.map { "; top-1 agreement with it \(percent($0))" } ?? "") + "."
        }
        html.paragraph(text)
        html.paragraph("Definitions used throughout: RAM = arena + kernel scratch (+ the stack measured on a bare-metal target); "
                       + "executed MACs = the multiply-accumulates the C's kernels run, with the dense model's beside them "
                       + "(float stages run dense in Swift); flash of a float stage = its parameters as float32.")
    }

    private func stages(_ html: inout HTMLReport) {
        let student = report.stages.filter { !$0.isTeacher }
        guard !student.isEmpty else { return }
        html.heading("What each stage of the recipe gives")
        let counted = student.contains { $0.instructions != nil }
        html.table(["stage", "accuracy", "parameters", "nonzeros", "flash B", "RAM B", "executed MACs", "dense MACs"]
                   + (counted ? ["instructions"] : []),
                   student.map { s in
                       [s.name, s.accuracy.map(percent) ?? "", s.parameters.grouped, s.nonzeros.grouped, s.flashBytes.grouped,
                        s.ramBytes.map(\.grouped) ?? "", s.executedMacs.map(\.grouped) ?? "", s.denseMacs.grouped]
                           + (counted ? [s.instructions.map(\.grouped) ?? ""] : [])
                   }, emphasized: [student.count - 1])
        var figures: [(String, String?)] = []
        let accuracies = student.compactMap { s in s.accuracy.map { (s.name, 100 * $0) } }
        if !accuracies.isEmpty {
            figures.append((SVGChart.bars(accuracies.map { ($0.0, [$0.1], String(format: "%.2f %%", $0.1)) },
                                          range: SVGChart.differenceRange(accuracies.map(\.1)), title: "Test accuracy per stage",
                                          axisLabel: "test accuracy (%); the axis starts near the lowest"),
                            "The axis spans only the values' neighbourhood, so small differences show."))
        }
        figures.append((SVGChart.bars(student.map { ($0.name, [Double($0.flashBytes)], "\($0.flashBytes.grouped) B") },
                                      range: 0...Double(student.map(\.flashBytes).max() ?? 1), title: "Flash per stage",
                                      axisLabel: "bytes"), "Float stages: parameters as float32; the C: every constant table."))
        figures.append((SVGChart.bars(student.map { s in
            (s.name, [Double(s.denseMacs)] + (s.executedMacs.map { [Double($0)] } ?? []),
             s.executedMacs.map { "\($0.grouped) of \(s.denseMacs.grouped)" } ?? s.denseMacs.grouped)
        }, series: ["dense", "executed by the C"], range: 0...Double(student.map(\.denseMacs).max() ?? 1),
           title: "Multiply-accumulates per inference", axisLabel: "MACs"), nil))
        html.captionedFigures(figures)
    }

    private func teacher(_ html: inout HTMLReport) {
        let teachers = report.stages.filter(\.isTeacher)
        guard !teachers.isEmpty else { return }
        html.heading("The teacher (trained apart, not shipped)")
        html.table(["model", "accuracy", "parameters", "flash B (float32)", "dense MACs"], teachers.map { t in
            [t.name, t.accuracy.map(percent) ?? "", t.parameters.grouped, t.flashBytes.grouped, t.denseMacs.grouped]
        })
    }

    private func layers(_ html: inout HTMLReport) {
        let layers = report.manifest.layers.filter(\.callsKernel)
        guard !layers.isEmpty else { return }
        html.heading("The int8 C, layer by layer")
        let error = Dictionary(report.quantizationError.map { ($0.name, $0.sqnrDecibels) }, uniquingKeysWith: { a, _ in a })
        var rows = layers.map { l in
            [l.name, l.op, l.kernel, l.weightFormat ?? "", l.density.map(percent) ?? "", l.parameters.grouped,
             l.constantBytes.grouped, l.denseConstantBytes.grouped, l.executedMacs.grouped, l.macs.grouped,
             (Self.bytes(l.inputShape) + Self.bytes(l.outputShape)).grouped, error[l.name].map { String(format: "%.1f", $0) } ?? ""]
        }
        let m = report.manifest
        rows.append(["total", "", "", "", "", layers.map(\.parameters).reduce(0, +).grouped, m.constantBytes.grouped,
                     layers.map(\.denseConstantBytes).reduce(0, +).grouped, m.executedMacs.grouped, m.macs.grouped, "", ""])
        html.table(["layer", "op", "kernel", "format", "density", "parameters", "flash B", "dense flash B", "executed MACs",
                    "dense MACs", "in + out B", "SQNR dB"], rows, emphasized: [rows.count - 1])
        html.paragraph("Flash is the layer's constant tables (weights with any position tables, folded biases, multipliers, "
                       + "shifts). \"in + out B\" is what the layer reads and writes in the arena, which places tensors by "
                       + "lifetime, so the arena is smaller than their sum: here \(m.memory.arenaBytes.grouped) B, beside "
                       + "\(m.memory.scratchBytes.grouped) B of scratch the sparse kernels share.")
        let weighted = layers.filter { $0.weightFormat != nil }
        html.subheading("Multiply-accumulates and flash per layer")
        html.captionedFigures([
            (SVGChart.bars(weighted.map { l in (l.name, [Double(l.macs), Double(l.executedMacs)], "\(l.executedMacs.grouped) of \(l.macs.grouped)") },
                           series: ["dense", "executed"], range: 0...Double(weighted.map(\.macs).max() ?? 1),
                           title: "MACs per layer", axisLabel: "MACs"), nil),
            (SVGChart.bars(weighted.map { l in (l.name, [Double(l.denseConstantBytes), Double(l.constantBytes)], "\(l.constantBytes.grouped) B") },
                           series: ["dense", "as emitted"], range: 0...Double(weighted.map(\.denseConstantBytes).max() ?? 1),
                           title: "Flash per layer", axisLabel: "bytes"), nil),
        ])
    }

    private func quantizationError(_ html: inout HTMLReport) {
        let layers = report.quantizationError
        guard !layers.isEmpty else { return }
        html.heading("Where quantization error enters")
        html.paragraph("The signal-to-quantization-noise ratio of each op's int8 output, run end to end by the reference "
                       + "interpreter, against the float model at the same point (higher is better; a drop from one layer "
                       + "to the next is error that layer adds).")
        html.figures([SVGChart.bars(layers.map { ($0.name, [$0.sqnrDecibels], String(format: "%.1f dB, %.2f steps", $0.sqnrDecibels, $0.meanErrorSteps)) },
                                    range: 0...max(layers.map(\.sqnrDecibels).max() ?? 1, 1), title: "SQNR per layer",
                                    axisLabel: "dB")])
    }

    /// Bytes of an int8 tensor of `shape`.
    private static func bytes(_ shape: [Int]) -> Int { shape.reduce(1, *) }
}
