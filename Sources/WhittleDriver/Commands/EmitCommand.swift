import Foundation
import WhittleSupport
import WhittleCodegen
import WhittleIR

/// `whittle emit MODEL.q --target NAME -o DIR`: lower a QGraph to a standalone C folder.
enum EmitCommand: Command {
    static let name = "emit"
    static let summary = "lower an int8 QGraph (.q) to standalone integer-only C99"
    static let usage = """
    usage: whittle emit MODEL.q [--target NAME] -o DIR [--vectors N] [--seed S] [--json]

    Writes DIR: model.h (sizes, quantization macros, API, input layout), model.c (the graph as
    straight-line kernel calls), model_weights.c (static const tables), kernels/, Makefile,
    test_main.c, bench_main.c, vectors/ (test inputs with the reference interpreter's outputs)
    and whittle.json. DIR appears complete or not at all; an earlier emission there is replaced.

    options:
      --target NAME   code-generation target from targets/ (default: host)
      -o, --output    the folder to write
      --vectors N     test vectors to include: the first N validation inputs of MODEL.q, or N
                      seeded random inputs when it has none (default: all, or 16 random)
      --seed S        seed of random test vectors (default: 1)
      --json          print one JSON object with the figures on stdout

    exit: 0 written, 2 bad input (unreadable model, unknown target, unwritable folder,
    accumulator overflow risk).
    """

    static func run(_ args: inout Arguments) throws -> Int32 {
        let targetName = try args.option("--target") ?? "host"
        guard let outputPath = try args.output("-o", "--output", as: .folder) else { throw UsageError(name, "missing -o DIR") }
        let vectors = try args.int("--vectors")
        let seed = try args.int("--seed") ?? 1
        let json = args.flag("--json")
        let modelPath = try args.positional("MODEL.q")
        try args.finish()
        if let vectors, !(1...QGraphLimits.maxVectors).contains(vectors) {
            throw UsageError(name, "--vectors must be 1…\(QGraphLimits.maxVectors), got \(vectors)")
        }
        guard seed >= 0 else { throw UsageError(name, "--seed must be ≥ 0") }

        let resources = try WhittleResources.locate()
        let target = try TargetDescriptor.load(named: targetName, from: resources)
        let modelURL = URL(fileURLWithPath: modelPath)
        let graph = try QGraphFile.read(from: modelURL)
        let options = EmitOptions(target: target, modelName: modelURL.lastPathComponent, vectorCount: vectors, seed: UInt64(seed))
        let folder = URL(fileURLWithPath: outputPath)
        let manifest = try Emitter.emit(graph, options: options, resources: resources, to: folder).manifest

        if json {
            try Console.json(Output(manifest, folder: folder))
        } else {
            print(summaryText(manifest, folder: folder))
        }
        return 0
    }

    private static func summaryText(_ m: EmitManifest, folder: URL) -> String {
        var lines = ["emitted \(folder.path) from \(m.model) for target \(m.target)"]
        lines.append("  RAM            \(m.memory.ramBytes.grouped) B (arena \(m.memory.arenaBytes.grouped) + kernel scratch \(m.memory.scratchBytes.grouped); "
                     + "the arena would be \(m.memory.naiveArenaBytes.grouped) B with a buffer per tensor)")
        let denseBytes = m.layers.map(\.denseConstantBytes).reduce(0, +)
        lines.append("  constants      \(m.constantBytes.grouped) B in model_weights.c"
                     + (denseBytes == m.constantBytes ? "" : String(format: " (%.3f× the %@ B dense)", Double(m.constantBytes) / Double(max(denseBytes, 1)), denseBytes.grouped))
                     + " (float32 parameters: \(m.float32ParameterBytes.grouped) B)")
        lines.append("  MACs           \(m.executedMacs.grouped) " + (m.executedMacs == m.macs ? "per inference"
            : String(format: "executed per inference (%.3f× the %@ dense)", Double(m.executedMacs) / Double(max(m.macs, 1)), m.macs.grouped)))
        lines.append("  test vectors   \(m.vectors.count.grouped) (\(m.vectors.source))")
        var table = TextTable("  layer", "kernel", "output", "format", "density", "constant B", "dense B", "executed MACs", "dense MACs")
        for layer in m.layers {
            table.add(["  " + layer.name, layer.kernel, layer.outputShape.map(String.init).joined(separator: "x"),
                       layer.weightFormat ?? "", layer.density.map(percent) ?? "", layer.constantBytes.grouped,
                       layer.denseConstantBytes.grouped, layer.executedMacs.grouped, layer.macs.grouped])
        }
        lines.append(table.rendered)
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// Left-aligned in a column of `width` (at least one space after).
    func padded(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
