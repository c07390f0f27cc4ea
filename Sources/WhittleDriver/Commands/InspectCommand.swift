import Foundation
import WhittleIR
import WhittleNN

enum InspectCommand: Command {
    static let name = "inspect"
    static let summary = "per-layer parameters, sparsity, bytes and MACs of a model (float spec or int8 .q)"
    static let usage = """
    usage: whittle inspect SPEC [MODEL.safetensors] [--json]
           whittle inspect MODEL.q [--json]

    With SPEC: prints, per layer, output shape, parameters, nonzeros, sparsity, bytes at 32 and
    8 bits, and multiply-accumulates per inference, with totals. With MODEL, counts its nonzeros.

    With MODEL.q (written by whittle quantize): prints, per conv / fully connected layer, the
    density of its int8 weights, the weight format chosen for it (dense, index for unstructured
    sparsity, N:M), its flash bytes (weight values, position tables, biases, multipliers and
    shifts; what emit writes to model_weights.c) and the multiply-accumulates its kernel executes
    per inference, each beside the dense form's, with totals and ratios to dense.
    """

    static func run(_ args: inout Arguments) throws -> Int32 {
        var probe = args
        if let path = probe.optionalPositional(), isQGraphFile(path) {
            args = probe
            let json = args.flag("--json")
            try args.finish()
            return try inspectQGraph(path, json: json)
        }
        let bench = try Workbench(&args)
        let model = args.optionalPositional()
        let json = args.flag("--json")
        try args.finish()
        let graph = try model.map { try bench.graph(loading: $0) } ?? bench.graph()
        let summary = ModelSummary(graph)
        if json {
            try Console.json([
                "model": bench.spec.name, "parameters": summary.totalParameters, "nonzeros": summary.totalNonzeros,
                "macs": summary.totalMACs,
                "layers": summary.rows.map { ["name": $0.name, "kind": $0.kind, "output_shape": $0.outputShape,
                                              "parameters": $0.parameters, "nonzeros": $0.nonzeros, "sparsity": $0.sparsity,
                                              "bytes_fp32": $0.bytesFloat32, "bytes_int8": $0.bytesInt8, "macs": $0.macs] },
            ])
            return 0
        }
        var table = TextTable("layer", "type", "output", "params", "nonzero", "sparsity", "fp32 B", "int8 B", "MACs")
        for r in summary.rows {
            table.add([r.name, r.kind, r.outputShape.map(String.init).joined(separator: "×"), grouped(r.parameters),
                       grouped(r.nonzeros), r.parameters == 0 ? "" : percent(r.sparsity), grouped(r.bytesFloat32),
                       grouped(r.bytesInt8), grouped(r.macs)])
        }
        let total = summary.totalParameters
        table.add(["total", "", "", grouped(total), grouped(summary.totalNonzeros),
                   percent(total == 0 ? 0 : 1 - Double(summary.totalNonzeros) / Double(total)),
                   grouped(4 * total), grouped(total), grouped(summary.totalMACs)])
        print("\(bench.spec.name): input \(bench.spec.input.map(String.init).joined(separator: "×"))")
        print(table.rendered)
        return 0
    }

    /// A `.q` file by its magic (any name), so a spec is never mistaken for one.
    private static func isQGraphFile(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return path.hasSuffix(".q") }
        defer { try? handle.close() }
        return Array(handle.readData(ofLength: 4)) == QGraphFile.magic
    }

    private static func inspectQGraph(_ path: String, json: Bool) throws -> Int32 {
        let graph = try QGraphFile.read(from: URL(fileURLWithPath: path))
        let layers = LayerFootprint.of(graph)
        let report = FootprintReport(layers)
        if json {
            try Console.json([
                "model": path, "layers": layers.map(FootprintReport.json),
                "total": ["flash_bytes": report.flash, "dense_flash_bytes": report.denseFlash,
                          "value_bytes": report.values, "position_bytes": report.positions,
                          "bias_bytes": report.biases, "multiplier_bytes": report.multipliers, "shift_bytes": report.shifts,
                          "executed_macs": report.executedMACs, "dense_macs": report.denseMACs,
                          "nonzeros": report.nonzeros, "weights": report.weights,
                          "flash_ratio": report.flashRatio, "mac_ratio": report.macRatio],
            ])
            return 0
        }
        print("\(path): \(graph.nodes.count) ops, input \(graph.inputTensor.shape), output \(graph.outputTensor.shape)")
        print(report.table.rendered)
        print(report.ratioLine)
        return 0
    }
}

/// Per-layer density, weight format, flash bytes and executed MACs beside the dense form's,
/// with totals: what `inspect MODEL.q` and `emit` print.
struct FootprintReport {
    let layers: [LayerFootprint]

    init(_ layers: [LayerFootprint]) { self.layers = layers }

    private func sum(_ value: (LayerFootprint) -> Int) -> Int { layers.map(value).reduce(0, +) }
    var flash: Int { sum(\.flashBytes) }
    var denseFlash: Int { sum(\.denseFlashBytes) }
    var values: Int { sum(\.valueBytes) }
    var positions: Int { sum(\.positionBytes) }
    var biases: Int { sum(\.biasBytes) }
    var multipliers: Int { sum(\.multiplierBytes) }
    var shifts: Int { sum(\.shiftBytes) }
    var executedMACs: Int { sum(\.executedMACs) }
    var denseMACs: Int { sum(\.denseMACs) }
    var nonzeros: Int { sum(\.nonzeros) }
    var weights: Int { sum(\.weights) }
    var flashRatio: Double { denseFlash == 0 ? 1 : Double(flash) / Double(denseFlash) }
    var macRatio: Double { denseMACs == 0 ? 1 : Double(executedMACs) / Double(denseMACs) }

    var table: TextTable {
        var table = TextTable("layer", "op", "format", "density", "flash B", "dense B", "executed MACs", "dense MACs")
        for l in layers {
            table.add([l.layer, l.op, l.format.name, percent(l.density), grouped(l.flashBytes), grouped(l.denseFlashBytes),
                       grouped(l.executedMACs), grouped(l.denseMACs)])
        }
        table.add(["total", "", "", percent(weights == 0 ? 1 : Double(nonzeros) / Double(weights)), grouped(flash),
                   grouped(denseFlash), grouped(executedMACs), grouped(denseMACs)])
        return table
    }

    var ratioLine: String {
        String(format: "vs dense: flash %.3f×, executed MACs %.3f×", flashRatio, macRatio)
            + "; flash = \(grouped(values)) B values + \(grouped(positions)) B positions + \(grouped(biases)) B biases"
            + " + \(grouped(multipliers)) B multipliers + \(grouped(shifts)) B shifts"
    }

    static func json(_ l: LayerFootprint) -> [String: Any] {
        ["name": l.layer, "op": l.op, "format": l.format.name, "density": l.density, "weights": l.weights,
         "nonzeros": l.nonzeros, "flash_bytes": l.flashBytes, "dense_flash_bytes": l.denseFlashBytes,
         "value_bytes": l.valueBytes, "position_bytes": l.positionBytes, "bias_bytes": l.biasBytes,
         "multiplier_bytes": l.multiplierBytes, "shift_bytes": l.shiftBytes,
         "executed_macs": l.executedMACs, "dense_macs": l.denseMACs]
    }
}
