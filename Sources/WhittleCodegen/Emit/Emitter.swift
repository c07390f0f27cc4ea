import Foundation
import WhittleIR
import WhittleSupport

/// What `emit` is asked for besides the graph.
public struct EmitOptions: Sendable {
    public var target: TargetDescriptor
    /// Shown in file headers and the manifest (usually the `.q` file name).
    public var modelName: String
    /// Test vectors to write: nil takes every validation input, or 16 random ones without.
    public var vectorCount: Int?
    /// Seed of random test vectors.
    public var seed: UInt64
    public var passes: PassOptions
    /// Told what emission is doing, for a progress line (the vectors' reference outputs take
    /// seconds on a large validation set).
    public var progress: (@Sendable (String) -> Void)?

    public init(target: TargetDescriptor, modelName: String, vectorCount: Int? = nil, seed: UInt64 = 1, passes: PassOptions = PassOptions()) {
        self.target = target
        self.modelName = modelName
        self.vectorCount = vectorCount
        self.seed = seed
        self.passes = passes
    }
}

/// The files of an emitted folder and what was decided to print them.
public struct Emission: Sendable {
    /// Relative path and contents of every file, in a fixed order.
    public var files: [(path: String, bytes: [UInt8])]
    public var manifest: EmitManifest
    public var plan: EmissionPlan
    /// The graph after every rewrite, as the C computes it.
    public var loweredGraph: QGraph
    /// What `PassOptions.printAfter` asked to see, in pass order.
    public var printedPasses: [(pass: Pass, text: String)]
}

/// `whittle emit`: QGraph + target → the C folder of DESIGN.md contract 2. Every pass runs
/// before any text is printed (`Pass`: verifier, accumulator-range analysis, rewrites, memory
/// plan, kernel plan) and the folder appears all at once or not at all.
public enum Emitter {
    public static func emission(of graph: QGraph, options: EmitOptions, resources: WhittleResources) throws -> Emission {
        if let count = options.vectorCount, count < 1 {
            throw CodegenError("--vectors must be at least 1, got \(count)")
        }
        options.progress?("passes and plan")
        let passes = try PassPipeline.run(graph, target: options.target, options: options.passes)
        let plan = passes.plan, memory = plan.memory
        // The reference runs the graph as given: the rewritten graph's C must match it.
        let interpreter = try ReferenceInterpreter(graph: graph)
        let (name, target) = (options.modelName, options.target.name)
        try BudgetCheck.check(BudgetCheck.flash(plan.layers, constantBytes: plan.constantBytes),
                              budget: options.target.flashBudgetBytes, target: target, model: name)
        try BudgetCheck.check(BudgetCheck.ram(plan.layers, arenaBytes: memory.arenaBytes, scratchBytes: plan.scratchBytes),
                              budget: options.target.ramBudgetBytes, target: target, model: name)
        let vectors = TestVectors.make(for: interpreter, requested: options.vectorCount, seed: options.seed, progress: options.progress)

        var files: [(path: String, bytes: [UInt8])] = [
            ("model.h", Array(ModelHeaderPrinter.text(graph, plan: plan, modelName: name, target: target).utf8)),
            ("model.c", Array(ModelSourcePrinter.text(plan, rawInputTable: graph.rawInputTable, modelName: name, target: target).utf8)),
            ("model_weights.c", Array(WeightsPrinter.text(plan, modelName: name, target: target).utf8)),
        ]
        files += try kernelFiles(plan.kernels, target: options.target, resources: resources)
        files += try harnessFiles(for: options.target, resources: resources)
        files += vectorFiles(vectors)
        // The model itself, without the validation vectors that vectors/ holds: `verify --target`
        // emits it again for another target. An autoencoder keeps its (empty) set for the task.
        var model = graph
        model.validation = graph.validation?.reconstruction.map { ValidationSet(count: 0, inputs: [], reconstruction: $0) }
        files.append((EmitManifest.modelFileName, QGraphFile.encode(model)))
        // The SHA-256 of every file but the manifest itself, so `verify` can tell what changed.
        let digests = Dictionary(files.map { ($0.path, SHA256.hex($0.bytes)) }, uniquingKeysWith: { first, _ in first })
        let manifest = makeManifest(graph, plan: plan, vectors: vectors, options: options, files: digests)
        files.append((EmitManifest.fileName, try manifest.encoded()))
        return Emission(files: files, manifest: manifest, plan: plan, loweredGraph: passes.graph, printedPasses: passes.printed)
    }

    /// Emits into `folder`, replacing an earlier emission there; nothing is written on error.
    @discardableResult
    public static func emit(_ graph: QGraph, options: EmitOptions, resources: WhittleResources, to folder: URL) throws -> Emission {
        Temporaries.sweepOnce(folder.standardizedFileURL.deletingLastPathComponent())
        let emission = try emission(of: graph, options: options, resources: resources)
        try FolderWriter.write(emission.files, to: folder)
        return emission
    }

    // MARK: - Files

    /// The shared headers and each kernel used. The plan already chose each kernel for the
    /// target (a `_dsp` kernel is a file of its own, with its own weight layout).
    private static func kernelFiles(_ kernels: [String], target: TargetDescriptor,
                                    resources: WhittleResources) throws -> [(path: String, bytes: [UInt8])] {
        let folder = resources.templates.appendingPathComponent("kernels")
        let files = KernelRegistry.files(for: kernels.compactMap(KernelRegistry.named))
        return try (files.headers + files.kernels.map(\.fileName)).map { file in
            let url = folder.appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw CodegenError("\(url.path): kernel template missing; reinstall whittle's templates/")
            }
            return ("kernels/\(file)", Array(data))
        }
    }

    /// The harness folder's files (its `Makefile.in` filled in from the descriptor) and, for a
    /// bare-metal target, its startup code and linker scripts under `target/`. `verify` builds
    /// with these, fresh from whittle's own templates, never with an emitted folder's copies.
    public static func harnessFiles(for target: TargetDescriptor, resources: WhittleResources) throws -> [(path: String, bytes: [UInt8])] {
        let folder = resources.templates.appendingPathComponent("harness").appendingPathComponent(target.harness)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        guard names.contains("Makefile.in") else {
            throw CodegenError("\(folder.appendingPathComponent("Makefile.in").path): harness template missing (target '\(target.name)' names harness '\(target.harness)')")
        }
        var files: [(path: String, bytes: [UInt8])] = []
        for name in names {
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else {
                throw CodegenError("\(folder.appendingPathComponent(name).path): cannot read the harness template")
            }
            if name == "Makefile.in" {
                files.insert(("Makefile", Array(makefile(String(decoding: data, as: UTF8.self), target: target).utf8)), at: 0)
            } else {
                files.append((name, Array(data)))
            }
        }
        for file in target.targetFiles {
            let url = resources.targets.appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw CodegenError("\(url.path): missing (target '\(target.name)' needs it); reinstall whittle's targets/")
            }
            files.append((TargetDescriptor.emittedPath(of: file), Array(data)))
        }
        return files
    }

    /// `Makefile.in` with the descriptor's compiler, flags, startup files and runner.
    static func makefile(_ template: String, target: TargetDescriptor) -> String {
        let run = target.runner.map { token -> String in
            let value = token.replacingOccurrences(of: "{program}", with: "$(BUILD)/test_model")
                .replacingOccurrences(of: "{arguments}", with: "vectors/inputs.bin $(BUILD)/outputs.bin")
            return value.contains(" ") ? "\"\(value)\"" : value
        }
        return template
            .replacingOccurrences(of: "@TARGET@", with: target.name)
            .replacingOccurrences(of: "@CC@", with: target.compiler)
            .replacingOccurrences(of: "@CFLAGS@", with: target.cflags.joined(separator: " "))
            .replacingOccurrences(of: "@LDFLAGS@", with: target.ldflags.joined(separator: " "))
            .replacingOccurrences(of: "@SANITIZE@", with: target.sanitizerFlags.joined(separator: " "))
            .replacingOccurrences(of: "@STARTUP@", with: target.startupSources.map(TargetDescriptor.emittedPath(of:)).joined(separator: " "))
            .replacingOccurrences(of: "@LDSCRIPT@", with: target.linkerScript.map(TargetDescriptor.emittedPath(of:)) ?? "")
            .replacingOccurrences(of: "@RUN@", with: run.joined(separator: " "))
    }

    private static func vectorFiles(_ v: TestVectors) -> [(path: String, bytes: [UInt8])] {
        var files: [(path: String, bytes: [UInt8])] = [
            ("vectors/inputs.bin", v.inputs.map { UInt8(bitPattern: $0) }),
            ("vectors/expected.bin", v.expected.map { UInt8(bitPattern: $0) }),
        ]
        if let labels = v.labels {
            files.append(("vectors/labels.bin", littleEndianBytes(labels)))
        }
        if let logits = v.floatLogits {
            files.append(("vectors/float_logits.bin", littleEndianBytes(logits.map(\.bitPattern))))
        }
        if let given = v.givenExpected {
            files.append(("vectors/given_expected.bin", given.map { UInt8(bitPattern: $0) }))
        }
        return files
    }

    private static func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    }

    private static func makeManifest(_ graph: QGraph, plan: EmissionPlan, vectors: TestVectors, options: EmitOptions,
                                     files: [String: String]) -> EmitManifest {
        func summary(_ t: QTensor) -> EmitManifest.Tensor {
            EmitManifest.Tensor(shape: [t.shape.height, t.shape.width, t.shape.channels], size: t.byteCount,
                                scale: t.quant.scale, zeroPoint: t.quant.zeroPoint)
        }
        let memory = plan.memory
        return EmitManifest(
            format: EmitManifest.currentFormat, model: options.modelName, target: options.target.name,
            optimize: options.passes.objective.rawValue, weightFormats: options.passes.weightFormats.rawValue,
            input: summary(graph.inputTensor), output: summary(graph.outputTensor),
            vectors: EmitManifest.Vectors(count: vectors.count, source: vectors.source, seed: vectors.source == "random" ? options.seed : nil,
                                          inputs: "vectors/inputs.bin",
                                          expected: "vectors/expected.bin",
                                          labels: vectors.labels == nil ? nil : "vectors/labels.bin",
                                          floatLogits: vectors.floatLogits == nil ? nil : "vectors/float_logits.bin",
                                          givenExpected: vectors.givenExpected == nil ? nil : "vectors/given_expected.bin"),
            memory: EmitManifest.Memory(arenaBytes: memory.arenaBytes, scratchBytes: plan.scratchBytes, lowerBoundBytes: memory.lowerBoundBytes,
                                        naiveArenaBytes: memory.naiveArenaBytes,
                                        naiveActivationBytes: memory.naiveActivationBytes, alignment: memory.alignment),
            constantBytes: plan.constantBytes,
            float32ParameterBytes: 4 * plan.layers.map(\.parameters).reduce(0, +),
            macs: plan.layers.map(\.macs).reduce(0, +), executedMacs: plan.layers.map(\.executedMacs).reduce(0, +),
            kernels: plan.kernels, layers: plan.layers, files: files)
    }
}
