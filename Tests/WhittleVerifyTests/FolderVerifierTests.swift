import Foundation
import WhittleCodegen
import WhittleIR
import WhittleVerify
import XCTest

final class FolderVerifierTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws { scratch = try makeScratchFolder("verify") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    private func emit(_ graph: QGraph, target: TargetDescriptor = hostTarget, using res: WhittleResources = resources,
                      vectors: Int? = nil) throws -> URL {
        let folder = scratch.appendingPathComponent("model")
        try Emitter.emit(graph, options: EmitOptions(target: target, modelName: "model.q", vectorCount: vectors), resources: res, to: folder)
        return folder
    }

    private func edit(_ file: URL, _ change: (String) -> String) throws {
        try Data(change(try String(contentsOf: file, encoding: .utf8)).utf8).write(to: file)
    }

    /// Labels: the reference's class for the first half, another class for the second half, so
    /// every int8 accuracy is exactly 50 %. Float logits: the dequantized reference outputs with
    /// a quarter quantum added to the winning class, so the float model agrees on every class.
    func testAccuracyAgainstLabelsAndFloat() throws {
        var graph = SampleGraphs.leNet(seed: 3, validationCount: 40)
        let reference = try ReferenceInterpreter(graph: graph).run(batch: graph.validation!.inputs, count: 40)
        let q = graph.outputTensor.quant
        var labels: [Int32] = [], logits: [Float] = []
        for v in 0..<40 {
            let row = Array(reference[(v * 10)..<(v * 10 + 10)])
            let best = row.firstIndex(of: row.max()!)!
            labels.append(Int32(v < 20 ? best : (best + 1) % 10))
            logits += row.indices.map { Float(q.dequantize(row[$0]) + ($0 == best ? q.scale / 4 : 0)) }
        }
        graph.validation!.labels = labels
        graph.validation!.floatLogits = logits
        let report = try FolderVerifier.verify(folder: try emit(graph), resources: resources, options: VerifyOptions(sanitizerVectors: 8))
        XCTAssertTrue(report.passed)
        XCTAssertNil(report.modifiedFiles)
        XCTAssertEqual(report.comparison.vectors, 40)
        XCTAssertEqual(report.sanitizer, SanitizerResult(vectors: 8, passed: true, report: nil))
        let a = try XCTUnwrap(report.accuracy)
        XCTAssertEqual(a.cAccuracy, 0.5)
        XCTAssertEqual(a.referenceAccuracy, 0.5)
        XCTAssertEqual(a.floatAccuracy, 0.5)
        XCTAssertEqual(a.top1AgreementWithFloat, 1.0)
        XCTAssertEqual(a.maxAbsLogitError!, q.scale / 4, accuracy: q.scale * 1e-3)
        XCTAssertEqual(a.meanAbsLogitError!, q.scale / 40, accuracy: q.scale * 1e-3)
    }

    /// A model.c edited to flip output 3 of the third inference and output 0 of the fifth
    /// (verified with --allow-modified): the report counts both and names the first.
    func testMismatchIsReportedWithFirstDifference() throws {
        let graph = SampleGraphs.leNet(seed: 5)
        let folder = try emit(graph, vectors: 6)
        try edit(folder.appendingPathComponent("model.c")) {
            $0.replacingOccurrences(of: "    return 0;\n}", with: """
                    {
                        static int calls = 0;
                        if (calls == 2) output[3] = (int8_t)(output[3] ^ 0x11);
                        if (calls == 4) output[0] = (int8_t)(output[0] ^ 0x01);
                        ++calls;
                    }
                    return 0;
                }
                """)
        }
        let inputs = try Data(contentsOf: folder.appendingPathComponent("vectors/inputs.bin")).map { Int8(bitPattern: $0) }
        let reference = try ReferenceInterpreter(graph: graph).run(batch: inputs, count: 6)
        let report = try FolderVerifier.verify(folder: folder, resources: resources, options: VerifyOptions(sanitize: false, allowModified: true))
        XCTAssertFalse(report.passed)
        XCTAssertEqual(report.modifiedFiles?.changed, ["model.c"])
        XCTAssertEqual(report.comparison.mismatchedBytes, 2)
        XCTAssertEqual(report.comparison.mismatchedVectors, 2)
        XCTAssertEqual(report.comparison.firstMismatch,
                       Mismatch(vector: 2, index: 3, c: reference[2 * 10 + 3] ^ 0x11, reference: reference[2 * 10 + 3]))
    }

    /// A write one byte past the output buffer goes unnoticed by a plain build but not by ASan.
    func testSanitizerCatchesOutOfBoundsWrite() throws {
        let folder = try emit(SampleGraphs.leNet(seed: 6), vectors: 3)
        try edit(folder.appendingPathComponent("model.c")) {
            $0.replacingOccurrences(of: "    return 0;\n}", with: "    output[MODEL_OUTPUT_SIZE] = 0;\n    return 0;\n}")
        }
        let report = try FolderVerifier.verify(folder: folder, resources: resources, options: VerifyOptions(allowModified: true))
        XCTAssertFalse(report.passed)
        XCTAssertEqual(report.sanitizer?.passed, false)
        XCTAssertTrue(report.sanitizer?.report?.contains("AddressSanitizer") ?? false, report.sanitizer?.report ?? "")
    }

    /// The channel block is a layout and register decision: every block size gives the same bytes.
    func testChannelBlockDoesNotChangeResults() throws {
        for block in [1, 3, 4] {
            var target = hostTarget
            target.channelBlock = block
            let folder = try emit(SampleGraphs.leNet(seed: 8), target: target, vectors: 4)
            XCTAssertTrue(try String(contentsOf: folder.appendingPathComponent("model.c"), encoding: .utf8)
                .contains(".groups = 1,\n            .block = \(block),\n"))
            XCTAssertTrue(try FolderVerifier.verify(folder: folder, resources: resources, options: VerifyOptions(sanitize: false)).passed)
        }
    }

    /// C that does not compile warning-free fails the check.
    func testWarningFailsTheBuild() throws {
        let folder = try emit(SampleGraphs.leNet(seed: 7), vectors: 2)
        try edit(folder.appendingPathComponent("model.c")) {
            $0.replacingOccurrences(of: "    return 0;\n}", with: "    int unused;\n    return 0;\n}")
        }
        XCTAssertThrowsError(try FolderVerifier.verify(folder: folder, resources: resources, options: VerifyOptions(allowModified: true))) {
            XCTAssertTrue($0 is VerifyCheckFailure, "\($0)")
            XCTAssertTrue(String(describing: $0).contains("building test_model"), "\($0)")
            XCTAssertTrue(String(describing: $0).contains("unused"), "\($0)")
        }
    }

    func testMissingCompilerNamesItsPackage() throws {
        let root = scratch.appendingPathComponent("resources")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("targets"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: resources.templates, to: root.appendingPathComponent("templates"))
        var ghost = hostTarget
        ghost.name = "ghost"
        ghost.compiler = "ghost-none-eabi-gcc"
        ghost.compilerPackage = "gcc-ghost-none-eabi"
        try JSONEncoder().encode(ghost).write(to: root.appendingPathComponent("targets/ghost.json"))
        let scratchResources = WhittleResources(root: root)
        let folder = try emit(SampleGraphs.leNet(), target: ghost, using: scratchResources, vectors: 1)
        XCTAssertThrowsError(try FolderVerifier.verify(folder: folder, resources: scratchResources)) {
            XCTAssertTrue($0 is VerifyInputError)
            XCTAssertTrue(String(describing: $0).contains("install the Debian package 'gcc-ghost-none-eabi'"), "\($0)")
        }
    }

    func testBadFoldersAreBadInput() throws {
        XCTAssertThrowsError(try FolderVerifier.verify(folder: scratch.appendingPathComponent("nothing"), resources: resources)) {
            XCTAssertTrue(String(describing: $0).contains("no such folder"))
        }
        XCTAssertThrowsError(try FolderVerifier.verify(folder: scratch, resources: resources)) {
            XCTAssertTrue(String(describing: $0).contains("whittle.json: missing"), "\($0)")
        }
        let folder = try emit(SampleGraphs.leNet(), vectors: 3)
        let inputs = folder.appendingPathComponent("vectors/inputs.bin")
        try Data(try Data(contentsOf: inputs).dropLast()).write(to: inputs)
        XCTAssertThrowsError(try FolderVerifier.verify(folder: folder, resources: resources)) {
            XCTAssertTrue($0 is VerifyCheckFailure, "\($0)")
            XCTAssertTrue(String(describing: $0).contains("changed vectors/inputs.bin"), "\($0)")
        }
        XCTAssertThrowsError(try FolderVerifier.verify(folder: folder, resources: resources, options: VerifyOptions(allowModified: true))) {
            XCTAssertTrue($0 is VerifyInputError, "\($0)")
            XCTAssertTrue(String(describing: $0).contains("inputs.bin: 2351 bytes"), "\($0)")
        }
    }

    /// Host cost of LeNet: at least one instruction per multiply-accumulate, and far fewer than ten.
    func testHostCost() throws {
        let folder = try emit(SampleGraphs.leNet(), vectors: 4)
        let cost = try HostBenchmark.measure(folder: folder, resources: resources, minimumMilliseconds: 100)
        XCTAssertGreaterThan(cost.nanosecondsPerInference, 0)
        XCTAssertGreaterThan(cost.inferencesTimed, 0)
        let instructions = try XCTUnwrap(cost.instructionsPerInference)
        XCTAssertGreaterThan(instructions, 281_640)
        XCTAssertLessThan(instructions, 10 * 281_640)
    }
}
