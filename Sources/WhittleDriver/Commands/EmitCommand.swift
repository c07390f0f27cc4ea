import Foundation
import WhittleSupport
import WhittleCodegen
import WhittleIR
import WhittleNN

/// `whittle emit MODEL.q --target NAME -o DIR`: lower a QGraph to a standalone C folder.
enum EmitCommand: Command {
    static let name = "emit"
    static let summary = "lower an int8 QGraph (.q) to standalone integer-only C99"
    static let help = Help(
        usage: ["whittle emit MODEL.q -o DIR [--target NAME] [--optimize speed|size] [--vectors N] [--seed S] [--json]",
                "             [--weight-formats chosen|stored] [--print-after PASS]... [--verify-each]",
                "whittle emit --list-passes"],
        description: """
        Writes DIR: model.h (sizes, quantization macros, API, input layout), model.c (the graph as
        straight-line kernel calls), model_weights.c (static const tables), kernels/, Makefile,
        test_main.c, bench_main.c, vectors/ (test inputs with the reference interpreter's outputs)
        and whittle.json. DIR appears complete or not at all; an earlier emission there is replaced.
        """,
        options: [
            ("-o, --output DIR", "the folder to write"),
            ("--target NAME", "code-generation target from targets/ (default: host)"),
            ("--optimize O", """
                speed (default): each layer's weight format and kernel take the fewest
                instructions by the target's cost table; size: the fewest constant bytes (and
                no kernel variant that trades flash for speed), as -O2 / -Os
                """),
            ("--vectors N", """
                test vectors to include: the first N validation inputs of MODEL.q, or N seeded
                random inputs when it has none (default: all, or 16 random)
                """),
            ("--seed S", "seed of random test vectors (default: 1)"),
            ("--json", "print one JSON object with the figures on stdout"),
            ("--weight-formats F", """
                chosen (default) for the target and objective, or stored as MODEL.q holds them
                (to compare formats)
                """),
            ("--print-after PASS", """
                print the graph (and what is planned) after pass PASS; repeatable, or 'all'. On
                stdout, or on stderr with --json
                """),
            ("--verify-each", """
                run the graph verifier after every pass that rewrites the graph (it always runs
                once before anything is planned and printed)
                """),
            ("--list-passes", "print every pass in the order emit runs them, with a line on each"),
        ],
        exitCodes: [(0, "written"),
                    (2, "bad input: an unreadable model, an unknown target, an unwritable folder, accumulator overflow risk")])

    static func run(_ args: inout Arguments) throws -> Int32 {
        if args.flag("--list-passes") {
            try args.finish()
            print(passList())
            return 0
        }
        let targetName = try args.option("--target") ?? "host"
        let passes = try passOptions(&args)
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
        var options = EmitOptions(target: target, modelName: modelURL.lastPathComponent, vectorCount: vectors, seed: UInt64(seed),
                                  passes: passes)
        let progress = ProgressLine(quiet: json)
        options.progress = { progress.update("emit: " + $0) }
        let folder = URL(fileURLWithPath: outputPath)
        let emission = try Emitter.emit(graph, options: options, resources: resources, to: folder)
        progress.clear()
        let manifest = emission.manifest
        for (_, text) in emission.printedPasses {
            if json { Console.note(text) } else { print(text) }
        }

        if json {
            try Console.json(Output(manifest, folder: folder))
        } else {
            print(summaryText(manifest, folder: folder))
        }
        return 0
    }

    /// `--optimize`, `--weight-formats`, `--print-after` (repeatable, or `all`) and `--verify-each`.
    private static func passOptions(_ args: inout Arguments) throws -> PassOptions {
        var options = PassOptions(verifyEach: args.flag("--verify-each"))
        let optimize = try args.option("--optimize") ?? "speed"
        guard let objective = SparseFormatChoice.Objective(rawValue: optimize) else {
            throw UsageError(name, "--optimize takes speed or size, not '\(optimize)'")
        }
        options.objective = objective
        let formats = try args.option("--weight-formats") ?? "chosen"
        guard let weightFormats = PassOptions.WeightFormats(rawValue: formats) else {
            throw UsageError(name, "--weight-formats takes chosen or stored, not '\(formats)'")
        }
        options.weightFormats = weightFormats
        while let pass = try args.option("--print-after") {
            if pass == "all" {
                options.printAfter.formUnion(Pass.allCases)
            } else if let known = Pass(rawValue: pass) {
                options.printAfter.insert(known)
            } else {
                throw UsageError(name, "--print-after names no pass '\(pass)'; passes: \(Pass.allCases.map(\.rawValue).joined(separator: ", ")) (or all)")
            }
        }
        return options
    }

    /// `--list-passes`: name, kind and what each pass does, in the order emit runs them.
    private static func passList() -> String {
        let width = Pass.allCases.map(\.rawValue.count).max() ?? 0
        return Pass.allCases.map { pass in
            pass.rawValue.padded(width + 1) + pass.info.kind.rawValue.padded(9) + pass.info.summary
        }.joined(separator: "\n")
    }

    private static func summaryText(_ m: EmitManifest, folder: URL) -> String {
        var lines = ["emitted \(folder.path) from \(m.model) for target \(m.target), optimized for \(m.optimize)"
                     + (m.weightFormats == "stored" ? " (weight formats as stored)" : "")]
        lines.append("  RAM            \(m.memory.ramBytes.grouped) B (arena \(m.memory.arenaBytes.grouped) + kernel scratch \(m.memory.scratchBytes.grouped); "
                     + "the arena's lower bound is \(m.memory.lowerBoundBytes.grouped) B, with a buffer per tensor it would be \(m.memory.naiveArenaBytes.grouped) B)")
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
