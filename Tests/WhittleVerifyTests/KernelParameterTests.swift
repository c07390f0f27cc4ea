import Foundation
import WhittleCodegen
import WhittleIR
import WhittleVerify
import XCTest

/// Issue 12: every kernel takes its shapes as one `const <kernel>_params *`, printed in model.c as
/// a `static const` struct that gcc folds away; every kernel file compiles on its own; and each
/// call's scratch, as the kernel's own C macro states it, is checked against the buffer at
/// compile time.
final class KernelParameterTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws { scratch = try makeScratchFolder("parameters") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    private static let kernelFolder = repositoryRoot.appendingPathComponent("templates/kernels")

    /// The stems of templates/kernels/*.c: the kernels and the gather they share.
    private static func kernelStems() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: kernelFolder.path).filter { $0.hasSuffix(".c") }
            .map { String($0.dropLast(2)) }.sorted()
    }

    /// The fields of every `<name>_params` type the kernel files declare, in declaration order: a
    /// nested struct's as `member.field`, an alias (`typedef conv2d_s8_params conv2d_s8_dsp_params;`)
    /// resolved.
    private static func declaredFields() throws -> [String: [String]] {
        var members: [String: [(type: String, name: String)]] = [:], aliases: [String: String] = [:]
        typealias Pair = (Substring, Substring, Substring)
        let structs = try Regex(#"typedef struct \{([^}]*)\} (\w+_params);"#, as: Pair.self)
        let renames = try Regex(#"typedef (\w+_params) (\w+_params);"#, as: Pair.self)
        let files = try FileManager.default.contentsOfDirectory(atPath: kernelFolder.path).filter { $0.hasSuffix(".c") || $0.hasSuffix(".h") }
        for file in files {
            var text = try String(contentsOf: kernelFolder.appendingPathComponent(file), encoding: .utf8)
            while let comment = text.range(of: #"(?s)/\*.*?\*/"#, options: .regularExpression) { text.removeSubrange(comment) }
            for match in text.matches(of: structs) {
                members[String(match.output.2)] = match.output.1.split(separator: ";").flatMap { declaration -> [(type: String, name: String)] in
                    let words = declaration.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "," }).map(String.init)
                    return words.dropFirst().map { (words[0], $0) }
                }
            }
            for match in text.matches(of: renames) { aliases[String(match.output.2)] = String(match.output.1) }
        }
        func fields(_ type: String) -> [String] {
            (members[aliases[type] ?? type] ?? []).flatMap { member in
                members[member.type] == nil ? [member.name] : fields(member.type).map { member.name + "." + $0 }
            }
        }
        return Dictionary(uniqueKeysWithValues: (Array(members.keys) + Array(aliases.keys)).map { ($0, fields($0)) })
    }

    /// Host gcc with the host target's strict flags; the result of compiling `source` with `extra`.
    private func compile(_ source: String, named name: String, _ extra: [String]) throws -> ProcessResult {
        let file = scratch.appendingPathComponent(name)
        try Data(source.utf8).write(to: file)
        return try ProcessRunner.run([hostTarget.compiler] + hostTarget.cflags + extra + [file.path])
    }

    /// Each kernel file alone (so a missing include fails), its parameter struct and function
    /// named after the file; every header alone; and all kernels in one translation unit, each
    /// included twice (the guards make double inclusion harmless, and no two kernels clash).
    func testEveryKernelFileCompilesOnItsOwn() throws {
        let stems = try Self.kernelStems()
        XCTAssertEqual(stems.count, 22, "\(stems)")
        let include = ["-I", Self.kernelFolder.path, "-c", "-o", "/dev/null"]
        for stem in stems {
            let alone = try ProcessRunner.run([hostTarget.compiler] + hostTarget.cflags
                                              + ["-fsyntax-only", Self.kernelFolder.appendingPathComponent("\(stem).c").path])
            XCTAssertEqual(alone.status, 0, "\(stem).c alone: \(alone.standardError)")
            let named = try compile("""
                #include "\(stem).c"
                const \(stem)_params *whittle_parameters_of_\(stem) = 0;
                const int whittle_kernel_\(stem) = sizeof(&\(stem));

                """, named: "\(stem)_named.c", include)
            XCTAssertEqual(named.status, 0, "\(stem): \(named.standardError)")
        }
        for header in ["whittle_kernel.h", "whittle_fixedpoint.h", "whittle_dsp.h", "whittle_pool.h"] {
            let alone = try ProcessRunner.run([hostTarget.compiler] + hostTarget.cflags
                                              + ["-fsyntax-only", Self.kernelFolder.appendingPathComponent(header).path])
            XCTAssertEqual(alone.status, 0, "\(header) alone: \(alone.standardError)")
        }
        let everything = (stems + stems.reversed()).map { "#include \"\($0).c\"\n" }.joined()
        let together = try compile(everything + "int whittle_all_kernels;\n", named: "all.c", include)
        XCTAssertEqual(together.status, 0, together.standardError)
    }

    /// The check above can fail: a kernel that leans on a header it does not include does not compile.
    func testKernelMissingAnIncludeFailsToCompile() throws {
        let source = try String(contentsOf: Self.kernelFolder.appendingPathComponent("fc_s8.c"), encoding: .utf8)
        let stripped = source.replacingOccurrences(of: "#include \"whittle_fixedpoint.h\"\n", with: "")
        XCTAssertNotEqual(stripped, source)
        let result = try compile(stripped, named: "fc_s8.c", ["-I", Self.kernelFolder.path, "-fsyntax-only"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.standardError.contains("error"), result.standardError)
    }

    /// Every kernel, through a graph whose two weighted layers take each storage, on the generic
    /// host (under the sanitizers) and on a host profile with the DSP and indexed variants:
    /// bit-exact (layer names that are C names of model.c too: `input`, `output`, `scratch`,
    /// `arena`, `model_invoke`, a kernel's), and every parameter struct folded away by gcc at
    /// -O2 and -Os (no `_params` object left in model.o). Each call's fields are the ones its
    /// kernel's struct declares.
    func testEveryKernelTakesParametersThatFoldAway() throws {
        var dspIndexed = hostTarget
        dspIndexed.kernelVariants = [.dsp, .indexedSparse]
        var kernels = Set<String>()
        let declared = try Self.declaredFields()
        XCTAssertEqual(declared["conv2d_s8_nm_params"]?.prefix(2), ["gather.in_h", "gather.in_w"])
        for (name, target) in [("host", hostTarget), ("dsp", dspIndexed)] {
            for (f, format) in [WeightFormat.dense, .indexSparse, .bitmap, .nm(n: 2, m: 4)].enumerated() {
                let folder = scratch.appendingPathComponent("\(name)\(f)")
                let emission = try Emitter.emit(try everyKernelGraph(format), options: EmitOptions(target: target, modelName: "all", vectorCount: 6, passes: .stored),
                                                resources: resources, to: folder)
                kernels.formUnion(emission.plan.kernels)
                // Every field the C declares, in its order: designated initializers would leave a
                // forgotten one 0 without a word from gcc.
                for call in emission.plan.steps.compactMap(\.call) {
                    XCTAssertEqual(call.fields.map(\.name), declared["\(call.kernel)_params"], "\(name), \(format): \(call.kernel)")
                }
                let options = VerifyOptions(sanitize: target.kernelVariants.isEmpty, sanitizerVectors: 6)
                let report = try FolderVerifier.verify(folder: folder, resources: resources, options: options)
                XCTAssertTrue(report.passed, "\(name), \(format): \(report.failure ?? "")")
                for level in ["-O2", "-Os"] {
                    let object = folder.appendingPathComponent("model\(level).o")
                    let build = try ProcessRunner.run([hostTarget.compiler] + hostTarget.cflags
                                                      + [level, "-c", "-o", object.path, folder.appendingPathComponent("model.c").path])
                    XCTAssertEqual(build.status, 0, build.standardError)
                    let symbols = try ProcessRunner.run(["nm", object.path])
                    XCTAssertEqual(symbols.status, 0, symbols.standardError)
                    XCTAssertTrue(symbols.standardOutput.contains("model_invoke"), symbols.standardOutput)
                    XCTAssertFalse(symbols.standardOutput.contains("_params"), "\(name), \(format), \(level): \(symbols.standardOutput)")
                }
            }
        }
        XCTAssertEqual(kernels.sorted(), try Self.kernelStems())
    }

    /// A scratch buffer smaller than a kernel's own statement of its need stops the build, naming
    /// the layer; the buffer the planner sized passes.
    func testScratchBelowTheKernelsFormulaFailsToCompile() throws {
        let folder = scratch.appendingPathComponent("nm")
        let emission = try Emitter.emit(try everyKernelGraph(.nm(n: 2, m: 4)), options: EmitOptions(target: hostTarget, modelName: "nm", vectorCount: 2, passes: .stored),
                                        resources: resources, to: folder)
        let source = try String(contentsOf: folder.appendingPathComponent("model.c"), encoding: .utf8)
        for needle in ["WHITTLE_STATIC_ASSERT(CONV2D_S8_NM_SCRATCH_BYTES(", "WHITTLE_STATIC_ASSERT(FC_S8_NM_SCRATCH_BYTES(8) <= sizeof(scratch), \"fc: scratch\");"] {
            XCTAssertTrue(source.contains(needle), needle)
        }
        let declaration = "static int32_t scratch[\(emission.plan.scratchBytes / 4)];"
        XCTAssertTrue(source.contains(declaration), source)
        func build(_ text: String) throws -> ProcessResult {
            let model = folder.appendingPathComponent("model.c")
            try Data(text.utf8).write(to: model)
            return try ProcessRunner.run([hostTarget.compiler] + hostTarget.cflags + ["-c", "-o", "/dev/null", model.path])
        }
        XCTAssertEqual(try build(source).status, 0)
        // The fully connected layer's 32 bytes still fit; the conv's decoded taps do not.
        let small = try build(source.replacingOccurrences(of: declaration, with: "static int32_t scratch[32];"))
        XCTAssertNotEqual(small.status, 0)
        XCTAssertTrue(small.standardError.contains("input: scratch"), small.standardError)
        XCTAssertFalse(small.standardError.contains("fc: scratch"), small.standardError)
    }

    /// input 8x8x4 → conv `input` (`format`, 3x3 pad 1, a 2x2 max pool folded in) → depthwise
    /// `arena` → max pool `scratch` (3x3 stride 1 pad 1, not foldable) → add `conv2d_s8` of the two
    /// → pad `pad_s8` → average pool `model_invoke` → 1x1 conv `conv2d_s8_dsp` → mean → flatten →
    /// fully connected `fc` (`format`, 8 → 10) → softmax `output`. Weights keep 2 of every 4, so each format can hold them.
    private func everyKernelGraph(_ format: WeightFormat) throws -> QGraph {
        var rng = SeededGenerator(seed: 12)
        func layer(_ outputs: Int, _ fanIn: Int) -> (weights: [Int8], scales: [Double], bias: [Int32]) {
            let weights = (0..<(outputs * fanIn)).map { i -> Int8 in (i % fanIn) % 4 < 2 ? Int8.random(in: -127...127, using: &rng) : 0 }
            return (weights, (0..<outputs).map { _ in 0.002 + Double(rng.next() % 100) / 20_000 },
                    (0..<outputs).map { _ in Int32.random(in: -2000...2000, using: &rng) })
        }
        func quant(_ scale: Double, _ zero: Int32) -> QuantParams { QuantParams(scale: scale, zeroPoint: zero) }
        var b = QGraphBuilder(inputShape: TensorShape(height: 8, width: 8, channels: 4), inputQuant: quant(0.05, 3), inputDescription: "test")
        var p = layer(8, 4 * 9)
        var x = try b.conv2d(b.input, name: "input", weights: p.weights, weightScales: p.scales, bias: p.bias, outputChannels: 8,
                             window: Window2D(kernel: 3, padding: 1), output: quant(0.2, -128), activation: .relu, format: format)
        x = try b.maxPool(x, name: "pool", window: Window2D(kernel: 2, stride: 2))
        p = layer(8, 9)
        let depthwise = try b.conv2d(x, name: "arena", weights: p.weights, weightScales: p.scales, bias: p.bias, outputChannels: 8,
                                     window: Window2D(kernel: 3, padding: 1), groups: 8, output: quant(0.1, -5), activation: .none)
        let pooled = try b.maxPool(depthwise, name: "scratch", window: Window2D(kernel: 3, stride: 1, padding: 1))
        x = try b.add(depthwise, pooled, name: "conv2d_s8", output: quant(0.15, 2))
        x = try b.pad(x, name: "pad_s8", top: 1, right: 1)
        x = try b.averagePool(x, name: "model_invoke", window: Window2D(kernel: 2, stride: 2))
        p = layer(8, 8)
        x = try b.conv2d(x, name: "conv2d_s8_dsp", weights: p.weights, weightScales: p.scales, bias: p.bias, outputChannels: 8,
                         window: Window2D(kernel: 1), output: quant(0.1, 7), activation: .relu6)
        x = try b.mean(x, name: "mean", output: quant(0.05, -1))
        x = try b.flatten(x, name: "flatten")
        p = layer(10, 8)
        x = try b.fullyConnected(x, name: "fc", weights: p.weights, weightScales: p.scales, bias: p.bias, outputCount: 10,
                                 output: quant(0.2, -3), activation: .none, format: format)
        x = try b.softmax(x, name: "output")
        return try b.finish(output: x)
    }
}
