import Foundation
import WhittleCodegen
import WhittleIR
import WhittleNN

enum InspectCommand: Command {
    static let name = "inspect"
    static let summary = "per-layer parameters, sparsity, bytes and MACs of a model (float spec or int8 .q)"
    static let help = Help(
        usage: ["whittle inspect SPEC [MODEL.safetensors] [--json]",
                "whittle inspect MODEL.q [--target NAME] [--optimize speed|size] [--json]",
                "whittle inspect MODEL.tflite [--json]"],
        description: """
        With SPEC: prints, per layer, output shape, parameters, nonzeros, sparsity, bytes at 32 and
        8 bits, and multiply-accumulates per inference, with totals. With MODEL, counts its nonzeros.

        With MODEL.q (written by whittle quantize): prints, per conv / fully connected layer, the
        density of its int8 weights, the weight format emit would choose for it on the target
        (dense, index for unstructured sparsity, bitmap, N:M), its flash bytes (weight values,
        position tables, biases, multipliers and shifts; what emit writes to model_weights.c) and
        the multiply-accumulates its kernel executes per inference, each beside the dense form's,
        with totals and ratios to dense.

        With MODEL.tflite (an int8 TFLite flatbuffer): prints each operator in order with its input
        and output shapes and its options.
        """,
        options: [
            ("--target NAME", "MODEL.q: the code-generation target whose formats are chosen (default: host)"),
            ("--optimize O", "MODEL.q: speed (default) or size, as for whittle emit"),
            ("--json", "print one JSON object with the figures"),
        ],
        exitCodes: Help.workOrBadInput)

    static func run(_ args: inout Arguments) throws -> Int32 {
        var probe = args
        if let path = probe.optionalPositional(), isQGraphFile(path) {
            args = probe
            let json = args.flag("--json")
            let target = try args.option("--target") ?? "host"
            let optimize = try args.option("--optimize") ?? "speed"
            try args.finish()
            guard let objective = SparseFormatChoice.Objective(rawValue: optimize) else {
                throw UsageError(name, "--optimize takes speed or size, not '\(optimize)'")
            }
            return try inspectQGraph(path, target: target, objective: objective, json: json)
        }
        probe = args
        if let path = probe.optionalPositional(), TFLiteInspection.isTFLiteFile(path) {
            args = probe
            let json = args.flag("--json")
            try args.finish()
            return try TFLiteInspection.run(path, json: json)
        }
        let bench = try Workbench(&args)
        let model = args.optionalPositional()
        let json = args.flag("--json")
        try args.finish()
        let graph = try model.map { try bench.graph(loading: $0) } ?? bench.graph()
        let summary = ModelSummary(graph)
        if json {
            try Console.json(SpecOutput(model: bench.spec.name, parameters: summary.totalParameters, foldedParameters: summary.foldedParameters,
                                        nonzeros: summary.totalNonzeros, macs: summary.totalMACs, layers: summary.rows.map(SpecOutput.Layer.init)))
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
        print("after BatchNorm folding: \(grouped(summary.foldedParameters)) parameters (each conv/linear's weights and one bias per output)")
        return 0
    }

    /// A `.q` file by its magic (any name), so a spec is never mistaken for one.
    private static func isQGraphFile(_ path: String) -> Bool {
        fileHas(QGraphFile.magic, at: 0, path) ?? path.hasSuffix(".q")
    }

    /// Whether the file at `path` holds `bytes` at `offset`; nil when it cannot be opened.
    static func fileHas(_ bytes: [UInt8], at offset: Int, _ path: String) -> Bool? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let head = handle.readData(ofLength: offset + bytes.count)
        return head.count == offset + bytes.count && Array(head.suffix(bytes.count)) == bytes
    }

    private static func inspectQGraph(_ path: String, target name: String, objective: SparseFormatChoice.Objective, json: Bool) throws -> Int32 {
        let target = try TargetDescriptor.load(named: name, from: try WhittleResources.locate())
        let graph = try SparseFormatChoice.apply(try QGraphFile.read(from: URL(fileURLWithPath: path)), target: target, objective: objective).graph
        let layers = LayerFootprint.of(graph)
        let report = FootprintReport(layers)
        if json {
            try Console.json(QGraphOutput(model: path, layers: layers))
            return 0
        }
        print("\(path): \(graph.nodes.count) ops, input \(graph.inputTensor.shape), output \(graph.outputTensor.shape); "
              + "formats for target \(target.name), optimized for \(objective.rawValue)")
        print(report.table.rendered)
        print(report.ratioLine)
        return 0
    }
}

extension InspectCommand {
    /// `inspect SPEC --json`: per layer and in total.
    struct SpecOutput: Encodable {
        var model: String
        var parameters: Int
        var foldedParameters: Int
        var nonzeros: Int
        var macs: Int
        var layers: [Layer]

        struct Layer: Encodable {
            var name: String
            var kind: String
            var outputShape: [Int]
            var parameters: Int
            var nonzeros: Int
            var sparsity: Double
            var bytesFp32: Int
            var bytesInt8: Int
            var macs: Int

            init(_ r: ModelSummary.Row) {
                (name, kind, outputShape, parameters, nonzeros) = (r.name, r.kind, r.outputShape, r.parameters, r.nonzeros)
                (sparsity, bytesFp32, bytesInt8, macs) = (r.sparsity, r.bytesFloat32, r.bytesInt8, r.macs)
            }
        }
    }

    /// `inspect MODEL.q --json`: each conv / fully connected layer's footprint beside its dense
    /// form's, and the totals.
    struct QGraphOutput: Encodable {
        var model: String
        var layers: [Footprint]
        var total: Footprint

        init(model: String, layers: [LayerFootprint]) {
            self.model = model
            self.layers = layers.map { Footprint(FootprintReport([$0]), layer: $0) }
            total = Footprint(FootprintReport(layers))
        }
    }

    /// A layer's figures, or (without name, op and format) the totals of all layers.
    struct Footprint: Encodable {
        var name: String?
        var op: String?
        var format: String?
        var density: Double
        var weights: Int
        var nonzeros: Int
        var flashBytes: Int
        var denseFlashBytes: Int
        var valueBytes: Int
        var positionBytes: Int
        var biasBytes: Int
        var multiplierBytes: Int
        var shiftBytes: Int
        var executedMacs: Int
        var denseMacs: Int
        var flashRatio: Double
        var macRatio: Double

        init(_ r: FootprintReport, layer: LayerFootprint? = nil) {
            (name, op, format) = (layer?.layer, layer?.op, layer?.format.name)
            (density, weights, nonzeros, flashBytes, denseFlashBytes) = (r.density, r.weights, r.nonzeros, r.flash, r.denseFlash)
            (valueBytes, positionBytes, biasBytes, multiplierBytes, shiftBytes) = (r.values, r.positions, r.biases, r.multipliers, r.shifts)
            (executedMacs, denseMacs, flashRatio, macRatio) = (r.executedMACs, r.denseMACs, r.flashRatio, r.macRatio)
        }
    }
}
