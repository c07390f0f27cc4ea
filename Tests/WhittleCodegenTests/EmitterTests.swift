import Foundation
import WhittleCodegen
import WhittleIR
import XCTest

final class EmitterTests: XCTestCase {
    private let resources = WhittleResources(root: repositoryRoot)
    private var host: TargetDescriptor { try! TargetDescriptor.load(named: "host", from: resources) }

    private func options(_ vectors: Int? = nil) -> EmitOptions {
        EmitOptions(target: host, modelName: "lenet.q", vectorCount: vectors)
    }

    func testFolderLayout() throws {
        let scratch = try makeScratchFolder("layout")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let folder = scratch.appendingPathComponent("out")
        let emission = try Emitter.emit(SampleGraphs.leNet(validationCount: 10), options: options(), resources: resources, to: folder)
        let files = Set(try folderContents(folder).keys)
        XCTAssertEqual(files, ["model.h", "model.c", "model_weights.c", "Makefile", "test_main.c", "bench_main.c",
                               "whittle.json", "whittle.q", "vectors/inputs.bin", "vectors/expected.bin",
                               "kernels/whittle_kernel.h", "kernels/whittle_fixedpoint.h",
                               "kernels/conv2d_s8.c", "kernels/fc_s8.c"]) // both pools fold into their convs
        XCTAssertEqual(emission.manifest.vectors.count, 10)
        XCTAssertEqual(emission.manifest.macs, 281_640)
        XCTAssertEqual(emission.manifest.float32ParameterBytes, 177_704)
        // Nothing but the folder itself appears next to it.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["out"])
    }

    func testHeaderHasContractMacros() throws {
        let graph = SampleGraphs.leNet()
        let emission = try Emitter.emission(of: graph, options: options(4), resources: resources)
        let header = String(decoding: emission.files.first { $0.path == "model.h" }!.bytes, as: UTF8.self)
        let plan = emission.plan.memory
        // The pools fold into the convs, so the convs' full-size outputs need no arena.
        XCTAssertLessThan(plan.arenaBytes, MemoryPlanner.plan(graph, alignment: host.arenaAlignment).arenaBytes)
        for line in ["#define MODEL_INPUT_SIZE 784", "#define MODEL_OUTPUT_SIZE 10", "#define MODEL_ARENA_BYTES \(plan.arenaBytes)",
                     "#define MODEL_INPUT_ZERO_POINT (-128)", "#define MODEL_INPUT_SCALE 0.003921569f",
                     "#define MODEL_OUTPUT_ZERO_POINT (\(graph.outputTensor.quant.zeroPoint))",
                     "int model_invoke(const int8_t *input, int8_t *output);", graph.inputDescription] {
            XCTAssertTrue(header.contains(line), "model.h lacks: \(line)")
        }
        XCTAssertTrue(header.contains("#define MODEL_OUTPUT_SCALE "))
    }

    /// Integer only: no float or double in any emitted C, except the two scale macros of model.h.
    func testNoFloatingPointInGeneratedCode() throws {
        for graph in [SampleGraphs.leNet()] + (0..<20).map({ SampleGraphs.random(seed: UInt64($0)) }) {
            for file in try Emitter.emission(of: graph, options: options(2), resources: resources).files
                where file.path.hasSuffix(".c") || file.path.hasSuffix(".h") {
                guard file.path != "test_main.c", file.path != "bench_main.c" else { continue }
                let text = String(decoding: file.bytes, as: UTF8.self)
                var lines = text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("*") }
                if file.path == "model.h" { lines.removeAll { $0.hasPrefix("#define MODEL_INPUT_SCALE ") || $0.hasPrefix("#define MODEL_OUTPUT_SCALE ") } }
                // The guard that makes both words compile errors.
                lines.removeAll { $0 == "#pragma GCC poison float double" }
                for line in lines {
                    let code = line.components(separatedBy: "/*")[0]
                    for word in ["float", "double", "malloc", "printf", "math.h"] {
                        XCTAssertFalse(code.contains(word), "\(file.path): \(line)")
                    }
                    XCTAssertNil(code.range(of: #"[0-9]\.[0-9]"#, options: .regularExpression), "\(file.path): \(line)")
                }
            }
        }
    }

    /// Same graph and options → byte-identical folder.
    func testEmissionIsReproducible() throws {
        let scratch = try makeScratchFolder("reproducible")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let graph = SampleGraphs.random(seed: 42)
        let a = scratch.appendingPathComponent("a"), b = scratch.appendingPathComponent("b")
        try Emitter.emit(graph, options: options(), resources: resources, to: a)
        try Emitter.emit(try QGraphFile.decode(QGraphFile.encode(graph), name: "copy"), options: options(), resources: resources, to: b)
        let first = try folderContents(a), second = try folderContents(b)
        XCTAssertEqual(first, second)
        try Emitter.emit(graph, options: EmitOptions(target: host, modelName: "lenet.q", seed: 2), resources: resources, to: b)
        XCTAssertNotEqual(try folderContents(b)["vectors/inputs.bin"], first["vectors/inputs.bin"], "the seed must matter")
    }

    func testReplacesEarlierEmission() throws {
        let scratch = try makeScratchFolder("replace")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let folder = scratch.appendingPathComponent("out")
        try Emitter.emit(SampleGraphs.leNet(), options: options(), resources: resources, to: folder)
        let second = try Emitter.emit(SampleGraphs.random(seed: 1), options: options(), resources: resources, to: folder)
        XCTAssertEqual(Set(try folderContents(folder).keys), Set(second.files.map(\.path)), "no file of the first emission is left")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["out"])
    }

    /// An unwritable parent, a missing parent, an existing file or foreign folder: a one-line
    /// error and nothing written.
    func testUnwritableOutputLeavesNothing() throws {
        let scratch = try makeScratchFolder("unwritable")
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scratch.path)
            try? FileManager.default.removeItem(at: scratch)
        }
        let locked = scratch.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: locked.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: locked.path) }
        let foreign = scratch.appendingPathComponent("foreign")
        try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: false)
        try Data("keep me".utf8).write(to: foreign.appendingPathComponent("notes.txt"))
        let plainFile = scratch.appendingPathComponent("file")
        try Data().write(to: plainFile)

        // Root may write into a read-only folder; nobody may create folders in /proc/1.
        let unwritable = getuid() == 0 ? URL(fileURLWithPath: "/proc/1/whittle-out") : locked.appendingPathComponent("out")
        let cases: [(URL, String)] = [
            (unwritable, "cannot write"),
            (foreign, "not a folder written by whittle emit"),
            (plainFile, "not a folder written by whittle emit"),
        ]
        for (destination, words) in cases {
            XCTAssertThrowsError(try Emitter.emit(SampleGraphs.leNet(), options: options(), resources: resources, to: destination)) {
                let message = String(describing: $0)
                XCTAssertTrue(message.contains(words), message)
                XCTAssertFalse(message.contains("\n"))
            }
        }
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: scratch.path)), ["locked", "foreign", "file"])
        // Missing parents are created, as `mkdir -p` would.
        let nested = scratch.appendingPathComponent("missing/out")
        try Emitter.emit(SampleGraphs.leNet(), options: options(), resources: resources, to: nested)
        XCTAssertTrue(FileManager.default.fileExists(atPath: nested.appendingPathComponent(EmitManifest.fileName).path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: locked.path), [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: foreign.path), ["notes.txt"])
    }

    func testAccumulatorOverflowStopsEmission() throws {
        var b = QGraphBuilder(inputShape: TensorShape(vector: 100), inputQuant: QuantParams(scale: 1, zeroPoint: 0), inputDescription: "x")
        let y = try b.fullyConnected(b.input, name: "fc", weights: [Int8](repeating: 1, count: 100), weightScales: [1], bias: [0],
                                     outputCount: 1, output: QuantParams(scale: 1, zeroPoint: 0), activation: .none)
        var graph = try b.finish(output: y)
        guard case .fullyConnected(var fc) = graph.nodes[0].op else { return XCTFail() }
        fc.bias = [Int32.max - 100]
        graph.nodes[0].op = .fullyConnected(fc)
        XCTAssertThrowsError(try Emitter.emission(of: graph, options: options(), resources: resources)) {
            XCTAssertTrue(String(describing: $0).contains("layer 'fc'"), String(describing: $0))
        }
    }

    /// A sparse conv whose window reaches further into its input than a 16-bit tap offset
    /// addresses is refused in one line naming the layer; the same conv stored dense is emitted.
    func testSparseConvBeyondTapReachIsRefused() throws {
        func graph(_ format: WeightFormat) throws -> QGraph {
            var b = QGraphBuilder(inputShape: TensorShape(height: 3, width: 3000, channels: 12),
                                  inputQuant: QuantParams(scale: 1, zeroPoint: 0), inputDescription: "x")
            let y = try b.conv2d(b.input, name: "wide", weights: (0..<108).map { $0 % 3 == 0 ? 1 : 0 }, weightScales: [0.01],
                                 bias: [0], outputChannels: 1, window: Window2D(kernel: 3),
                                 output: QuantParams(scale: 1, zeroPoint: 0), activation: .none, format: format)
            return try b.finish(output: y)
        }
        XCTAssertThrowsError(try Emitter.emission(of: try graph(.indexSparse), options: options(), resources: resources)) {
            let message = String(describing: $0)
            XCTAssertTrue(message.contains("layer 'wide'") && message.contains("72035") && !message.contains("\n"), message)
        }
        XCTAssertNoThrow(try Emitter.emission(of: try graph(.dense), options: options(), resources: resources))
    }

    /// Depthwise convs get their own kernel; the plan holds only integer arguments.
    func testKernelSelection() throws {
        var b = QGraphBuilder(inputShape: TensorShape(height: 4, width: 4, channels: 3), inputQuant: QuantParams(scale: 1, zeroPoint: 0),
                              inputDescription: "x")
        let y = try b.conv2d(b.input, name: "dw", weights: [Int8](repeating: 1, count: 6 * 9), weightScales: [Double](repeating: 0.01, count: 6),
                             bias: [Int32](repeating: 0, count: 6), outputChannels: 6, window: Window2D(kernel: 3, padding: 1), groups: 3,
                             output: QuantParams(scale: 1, zeroPoint: 0), activation: .relu)
        let plan = try Emitter.emission(of: b.finish(output: y), options: options(), resources: resources).plan
        XCTAssertEqual(plan.kernels, ["dwconv2d_s8"])
        XCTAssertEqual([plan.steps[0].call?.field("y_begin"), plan.steps[0].call?.field("y_end")], [1, 3])
    }
}
