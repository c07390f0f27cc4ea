import WhittleNN

enum InspectCommand: Command {
    static let name = "inspect"
    static let summary = "per-layer parameters, sparsity, bytes and MACs of a model"
    static let usage = """
    usage: whittle inspect SPEC [MODEL.safetensors] [--json]

    Prints, per layer: output shape, parameters, nonzeros, sparsity, bytes at 32 and 8 bits,
    and multiply-accumulates per inference, with totals. With MODEL, counts its nonzeros.
    """

    static func run(_ args: inout Arguments) throws -> Int32 {
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
}
