import Foundation
import WhittleCodegen
import WhittleIR
import WhittleVerify
import XCTest

/// `verify` trusts nothing in the folder it checks: files changed since emission are named and
/// fail the check; with --allow-modified the verdict still comes from whittle's own harness and
/// the reference outputs of the folder's whittle.q, so no edited harness, Makefile or
/// expected.bin can make a wrong model pass; and every field of whittle.json is range-checked.
final class VerifyTrustTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws { scratch = try makeScratchFolder("trust") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    private func emit(_ name: String = "model", seed: UInt64 = 5, vectors: Int = 6, validation: Int = 0) throws -> URL {
        let folder = scratch.appendingPathComponent(name)
        try Emitter.emit(SampleGraphs.leNet(seed: seed, validationCount: validation),
                         options: EmitOptions(target: hostTarget, modelName: "model.q", vectorCount: vectors), resources: resources, to: folder)
        return folder
    }

    private func edit(_ file: URL, _ change: (String) -> String) throws {
        let old = try String(contentsOf: file, encoding: .utf8)
        let new = change(old)
        XCTAssertNotEqual(old, new, "the edit of \(file.lastPathComponent) changed nothing")
        try Data(new.utf8).write(to: file)
    }

    /// A wrong model: the last layer's first bias far too low, so output 0 sinks to −128.
    private func breakWeights(_ folder: URL) throws {
        try edit(folder.appendingPathComponent("model_weights.c")) { text in
            let marker = text.range(of: "_bias[] = {\n    ", options: .backwards)!
            return text.replacingCharacters(in: marker, with: "_bias[] = {\n    -1000000 + ")
        }
    }

    /// A test_main.c that never calls the model: it copies vectors/expected.bin to the outputs.
    private let cheatingHarness = """
        #include <stdio.h>
        #include <stdlib.h>
        #include "model.h"
        int main(int argc, char **argv)
        {
            FILE *in = fopen("vectors/expected.bin", "rb");
            FILE *out = fopen(argv[2], "wb");
            long limit = argc == 4 ? atol(argv[3]) * MODEL_OUTPUT_SIZE : -1;
            int c;
            (void)argv[1];
            while ((limit < 0 || limit-- > 0) && (c = fgetc(in)) != EOF) fputc(c, out);
            fclose(in);
            return fclose(out);
        }

        """

    /// What an attacker who also rewrites whittle.json does: records the new files' hashes.
    private func rehash(_ folder: URL) throws {
        let url = folder.appendingPathComponent(EmitManifest.fileName)
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var files = try XCTUnwrap(object["files"] as? [String: String])
        for path in files.keys {
            files[path] = SHA256.hex([UInt8](try Data(contentsOf: folder.appendingPathComponent(path))))
        }
        object["files"] = files
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]).write(to: url)
    }

    /// Sets one field of whittle.json (a key path such as "vectors/count") to a raw JSON value.
    private func setManifestField(_ folder: URL, _ keyPath: String, _ json: String) throws {
        let url = folder.appendingPathComponent(EmitManifest.fileName)
        try Data(Self.replacing(keyPath, with: json, in: Data(contentsOf: url)).utf8).write(to: url)
    }

    /// whittle.json's text with the value at `keyPath` replaced by `json` (kept as raw text, so
    /// numbers beyond Int or Double reach the decoder unchanged).
    static func replacing(_ keyPath: String, with json: String, in data: Data) throws -> String {
        let placeholder = "\"@@VALUE@@\""
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        func set(_ dictionary: inout [String: Any], _ keys: ArraySlice<String>) {
            let key = keys.first!
            if keys.count == 1 {
                dictionary[key] = "@@VALUE@@"
            } else {
                var inner = dictionary[key] as? [String: Any] ?? [:]
                set(&inner, keys.dropFirst())
                dictionary[key] = inner
            }
        }
        set(&object, ArraySlice(keyPath.split(separator: "/").map(String.init)))
        let text = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        return text.replacingOccurrences(of: placeholder, with: json)
    }

    private func assertCheckFailure(_ expression: @autoclosure () throws -> Any, _ fragments: [String],
                                    file: StaticString = #filePath, line: UInt = #line) {
        assertFails(try expression(), as: VerifyCheckFailure.self, fragments, file: file, line: line)
    }

    private func assertBadInput(_ expression: @autoclosure () throws -> Any, _ fragments: [String],
                                file: StaticString = #filePath, line: UInt = #line) {
        assertFails(try expression(), as: VerifyInputError.self, fragments, file: file, line: line)
    }

    /// A one-line error of type `kind` holding every fragment.
    private func assertFails<E: Error>(_ expression: @autoclosure () throws -> Any, as kind: E.Type, _ fragments: [String],
                                       file: StaticString, line: UInt) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            XCTAssertTrue(error is E, "\(type(of: error)): \(error)", file: file, line: line)
            let text = String(describing: error)
            XCTAssertFalse(text.contains("\n"), text, file: file, line: line)
            for fragment in fragments { XCTAssertTrue(text.contains(fragment), "'\(text)' lacks '\(fragment)'", file: file, line: line) }
        }
    }

    private let quick = VerifyOptions(sanitize: false)
    private let quickAllowingEdits = VerifyOptions(sanitize: false, allowModified: true)

    // MARK: - Hashes

    func testSHA256KnownAnswers() {
        XCTAssertEqual(SHA256.hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        XCTAssertEqual(SHA256.hex(million), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // Fed in uneven pieces (every padding case around the 56- and 64-byte boundaries).
        var rng = SeededGenerator(seed: 9)
        for length in [55, 56, 57, 63, 64, 65, 119, 120, 128, 1000] {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            var hasher = SHA256()
            var offset = 0
            while offset < bytes.count {
                let take = min(Int(rng.next() % 70), bytes.count - offset)
                hasher.update(bytes[offset..<(offset + take)])
                offset += take
            }
            XCTAssertEqual(hasher.hexDigest(), SHA256.hex(bytes), "length \(length)")
        }
    }

    /// whittle.json lists every emitted file but itself, with the digest `sha256sum` computes.
    func testManifestRecordsEveryFilesHash() throws {
        let folder = try emit(vectors: 2)
        let manifest = try EmitManifest.read(from: folder)
        XCTAssertEqual(manifest.format, EmitManifest.currentFormat)
        let files = try XCTUnwrap(FileManager.default.subpathsOfDirectory(atPath: folder.path)).filter {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path, isDirectory: &isDirectory)
            return !isDirectory.boolValue && $0 != EmitManifest.fileName
        }
        XCTAssertEqual(Set(manifest.files.keys), Set(files))
        let result = try ProcessRunner.run(["sha256sum"] + files.sorted(), in: folder)
        for line in result.standardOutput.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            XCTAssertEqual(manifest.files[String(parts[1])], String(parts[0]), String(parts[1]))
        }
    }

    // MARK: - Tampered folders

    func testNormalFolderPassesAndIgnoresItsOwnBuildFolder() throws {
        let folder = try emit(vectors: 8, validation: 8)
        // The folder's own Makefile writes build/ into it; that is not a change to the emission.
        let make = try ProcessRunner.run(["make", "-s", "-C", folder.path, "check"])
        XCTAssertEqual(make.status, 0, make.standardError)
        XCTAssertTrue(make.standardOutput.hasSuffix("check passed: all 80 output bytes equal vectors/expected.bin\n"), make.standardOutput)
        let report = try FolderVerifier.verify(folder: folder, resources: resources, options: VerifyOptions(sanitizerVectors: 4))
        XCTAssertTrue(report.passed, report.failure ?? "")
        XCTAssertNil(report.modifiedFiles)
        XCTAssertEqual(report.comparison.vectors, 8)
        XCTAssertEqual(report.sanitizer?.passed, true)
        // A wrong model fails the folder's own check, which says so in its last line.
        try breakWeights(folder)
        let wrong = try ProcessRunner.run(["make", "-s", "-C", folder.path, "BUILD=\(scratch.appendingPathComponent("wrong").path)", "check"])
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.standardOutput.hasSuffix("check FAILED: the outputs differ from vectors/expected.bin (the first difference is above)\n"),
                      wrong.standardOutput)
    }

    /// A test_main.c that writes expected.bin's outputs without calling the model is named; with
    /// --allow-modified whittle's own harness runs the model, so a wrong model still fails.
    func testTamperedTestMainIsDetected() throws {
        let folder = try emit()
        try Data(cheatingHarness.utf8).write(to: folder.appendingPathComponent("test_main.c"))
        assertCheckFailure(try FolderVerifier.verify(folder: folder, resources: resources, options: quick),
                           ["1 file differs", "changed test_main.c", "--allow-modified"])

        let allowed = try FolderVerifier.verify(folder: folder, resources: resources, options: quickAllowingEdits)
        XCTAssertTrue(allowed.passed, allowed.failure ?? "")
        XCTAssertEqual(allowed.modifiedFiles, FolderIntegrity(changed: ["test_main.c"]))

        // The cheat does make the folder's own `make check` pass a wrong model …
        try breakWeights(folder)
        let own = try ProcessRunner.run(["make", "-s", "-C", folder.path, "BUILD=\(scratch.appendingPathComponent("own").path)", "check"])
        XCTAssertEqual(own.status, 0, "the cheating harness passes the folder's own check: \(own.standardError)")
        // … but not verify, even with --allow-modified and rewritten hashes.
        try rehash(folder)
        for options in [quick, quickAllowingEdits] {
            let report = try FolderVerifier.verify(folder: folder, resources: resources, options: options)
            XCTAssertFalse(report.passed)
            XCTAssertTrue(report.failure?.hasPrefix("C differs from the reference at vector 0, output 0") ?? false, report.failure ?? "")
            XCTAssertEqual(report.comparison.mismatchedVectors, 6)
        }
    }

    /// A Makefile without the sanitizer flags is named; with --allow-modified whittle's own
    /// Makefile (with the sanitizers) still catches an out-of-bounds write.
    func testTamperedMakefileIsDetected() throws {
        let folder = try emit(vectors: 3)
        try edit(folder.appendingPathComponent("Makefile")) {
            $0.replacingOccurrences(of: hostTarget.sanitizerFlags.joined(separator: " "), with: "")
        }
        assertCheckFailure(try FolderVerifier.verify(folder: folder, resources: resources), ["changed Makefile"])
        try edit(folder.appendingPathComponent("model.c")) {
            $0.replacingOccurrences(of: "    return 0;\n}", with: "    output[MODEL_OUTPUT_SIZE] = 0;\n    return 0;\n}")
        }
        assertCheckFailure(try FolderVerifier.verify(folder: folder, resources: resources), ["2 files differ", "changed Makefile, model.c"])
        let report = try FolderVerifier.verify(folder: folder, resources: resources, options: VerifyOptions(allowModified: true))
        XCTAssertTrue(report.comparison.bitExact, "the stray write is past the output, which a plain build does not see")
        XCTAssertFalse(report.passed)
        XCTAssertTrue(report.sanitizer?.report?.contains("AddressSanitizer") ?? false, report.sanitizer?.report ?? "")
        XCTAssertEqual(report.modifiedFiles?.changed, ["Makefile", "model.c"])
    }

    /// expected.bin rewritten to the outputs of a wrong model (and whittle.json's hashes with it)
    /// cannot make that model pass: the expected outputs come from whittle.q.
    func testTamperedExpectedOutputsCannotPassAWrongModel() throws {
        let folder = try emit()
        try breakWeights(folder)
        // The wrong model's outputs, from the folder's own (untampered) harness.
        let build = scratch.appendingPathComponent("wrong")
        let make = try ProcessRunner.run(["make", "-s", "-C", folder.path, "BUILD=\(build.path)", "test_model"])
        XCTAssertEqual(make.status, 0, make.standardError)
        let expected = folder.appendingPathComponent("vectors/expected.bin")
        let run = try ProcessRunner.run([build.appendingPathComponent("test_model").path, "vectors/inputs.bin", expected.path], in: folder)
        XCTAssertEqual(run.status, 0, run.standardError)
        let cmp = try ProcessRunner.run(["make", "-s", "-C", folder.path, "BUILD=\(build.path)", "check"])
        XCTAssertEqual(cmp.status, 0, "the folder's own check now passes the wrong model: \(cmp.standardError)")

        assertCheckFailure(try FolderVerifier.verify(folder: folder, resources: resources, options: quick),
                           ["2 files differ", "changed model_weights.c, vectors/expected.bin"])
        try rehash(folder)
        assertCheckFailure(try FolderVerifier.verify(folder: folder, resources: resources, options: quick),
                           ["vectors/expected.bin differs from the reference interpreter's outputs"])
        let report = try FolderVerifier.verify(folder: folder, resources: resources, options: quickAllowingEdits)
        XCTAssertFalse(report.passed)
        XCTAssertEqual(report.comparison.mismatchedVectors, 6)
        XCTAssertEqual(report.modifiedFiles?.changed, ["vectors/expected.bin"])

        // And a tampered expected.bin alone, on a right model: named, then ignored.
        let right = try emit("right")
        let file = right.appendingPathComponent("vectors/expected.bin")
        var bytes = [UInt8](try Data(contentsOf: file))
        bytes[7] ^= 0x40
        try Data(bytes).write(to: file)
        assertCheckFailure(try FolderVerifier.verify(folder: right, resources: resources, options: quick), ["changed vectors/expected.bin"])
        let allowed = try FolderVerifier.verify(folder: right, resources: resources, options: quickAllowingEdits)
        XCTAssertTrue(allowed.passed, allowed.failure ?? "")
    }

    func testMissingExtraAndLinkedFilesAreNamed() throws {
        let folder = try emit(vectors: 2)
        let manager = FileManager.default
        try manager.removeItem(at: folder.appendingPathComponent("bench_main.c"))
        try Data("notes".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        try manager.createDirectory(at: folder.appendingPathComponent("kernels/extra"), withIntermediateDirectories: true)
        try Data().write(to: folder.appendingPathComponent("kernels/extra/x.c"))
        // A symbolic link to a copy with the same bytes is still not the emitted file.
        let model = folder.appendingPathComponent("model.h"), copy = scratch.appendingPathComponent("model.h")
        try manager.copyItem(at: model, to: copy)
        try manager.removeItem(at: model)
        try manager.createSymbolicLink(at: model, withDestinationURL: copy)
        assertCheckFailure(try FolderVerifier.verify(folder: folder, resources: resources, options: quick),
                           ["4 files differ", "changed model.h; missing bench_main.c; extra kernels/extra/x.c, notes.txt"])
        // Staging refuses to follow the link even when edits are allowed.
        assertBadInput(try FolderVerifier.verify(folder: folder, resources: resources, options: quickAllowingEdits),
                       ["model.h: not a regular file"])
        try manager.removeItem(at: model)
        try manager.copyItem(at: copy, to: model)
        let report = try FolderVerifier.verify(folder: folder, resources: resources, options: quickAllowingEdits)
        XCTAssertTrue(report.passed, report.failure ?? "")
        XCTAssertEqual(report.modifiedFiles, FolderIntegrity(missing: ["bench_main.c"], extra: ["kernels/extra/x.c", "notes.txt"]))
    }

    /// whittle.q decides the expected outputs, so it must be the one emitted.
    func testTamperedModelFileIsNamed() throws {
        let folder = try emit(vectors: 2)
        try QGraphFile.write(SampleGraphs.leNet(seed: 6), to: folder.appendingPathComponent(EmitManifest.modelFileName))
        assertCheckFailure(try FolderVerifier.verify(folder: folder, resources: resources, options: quick), ["changed whittle.q"])
    }

    // MARK: - Manifest fields

    func testVectorCountsAreBoundedAndChecked() throws {
        let folder = try emit(vectors: 2)
        for (value, fragment) in [("4611686018427387904", "field 'vectors.count' is 4,611,686,018,427,387,904, more than the limit of 65,536 test vectors"),
                                  ("0", "field 'vectors.count' is 0: the folder has no test vectors; emit again with --vectors N"),
                                  ("-3", "field 'vectors.count' is -3, must be at least 1"),
                                  ("1e300", "field 'vectors.count' is 1e+300, not a 64-bit integer"),
                                  ("99999999999999999999", "field 'vectors.count'")] {
            try setManifestField(folder, "vectors/count", value)
            assertBadInput(try FolderVerifier.verify(folder: folder, resources: resources, options: quickAllowingEdits),
                           ["whittle.json: ", fragment])
        }
        // Within the limit, but not what vectors/inputs.bin holds.
        try setManifestField(folder, "vectors/count", "3")
        assertBadInput(try FolderVerifier.verify(folder: folder, resources: resources, options: quickAllowingEdits),
                       ["inputs.bin: 1568 bytes, the manifest implies 2352"])
    }

    /// Every bad field is one line naming whittle.json and the field.
    func testManifestDecodeChecksEveryField() throws {
        let good = try Data(contentsOf: emit(vectors: 2).appendingPathComponent(EmitManifest.fileName))
        XCTAssertNoThrow(try EmitManifest.decode(good, path: "whittle.json"))
        let cases: [(String, String, String)] = [
            ("format", "3", "manifest format 3, this whittle reads 5; emit the folder again"),
            ("format", "\"4\"", "field 'format' is not an integer"),
            ("input/shape", "[28, 28]", "field 'input.shape' has 2 dimensions"),
            ("input/shape", "[28, -28, 1]", "field 'input.shape[1]' is -28"),
            ("input/shape", "[65536, 65536, 65536]", "field 'input.shape' gives 65,536 × 65,536 × 65,536 elements, more than the limit of 16,777,216"),
            ("input/shape", "[28, 28, 99999999]", "field 'input.shape[2]' is 99,999,999, more than the limit of 16,777,216 per dimension"),
            ("input/size", "785", "field 'input.size' is 785, but the shape 28×28×1 holds 784 elements"),
            ("output/scale", "0", "field 'output.scale' is 0.0, must be finite and positive"),
            ("output/scale", "-1e-3", "field 'output.scale'"),
            ("output/zeroPoint", "128", "field 'output.zeroPoint' is 128, must be in -128…127"),
            ("output/zeroPoint", "99999999999", "field 'output.zeroPoint'"),
            ("vectors/inputs", "\"../../etc/passwd\"", "field 'vectors.inputs' is '../../etc/passwd', not a relative path inside the folder"),
            ("vectors/inputs", "\"/etc/passwd\"", "field 'vectors.inputs' is '/etc/passwd', not a relative path"),
            ("vectors/labels", "\"vectors//labels.bin\"", "field 'vectors.labels'"),
            ("vectors/source", "\"made up\"", "field 'vectors.source'"),
            ("vectors/seed", "null", "field 'vectors.seed' is missing"),
            ("target", "\"../host\"", "field 'target' is '../host', which is not a name"),
            ("optimize", "\"fast\"", "field 'optimize' is 'fast', expected 'speed' or 'size'"),
            ("weightFormats", "\"mine\"", "field 'weightFormats' is 'mine', expected 'chosen' or 'stored'"),
            ("model", "\"two\\nlines\"", "field 'model' contains a control character"),
            ("memory/alignment", "3", "field 'memory.alignment' is 3, must be a power of two"),
            ("memory/arenaBytes", "-1", "field 'memory.arenaBytes' is -1"),
            ("macs", "9223372036854775807", "field 'macs' is 9,223,372,036,854,775,807, more than the limit"),
            ("files/model.c", "\"00\"", "field 'files.model.c' is not a SHA-256"),
            ("files", "{}", "field 'files' is 0, must be at least 1"),
            ("kernels", "[\"fc_s8\", \"a/b\"]", "field 'kernels[1]' is 'a/b', which is not a name"),
            ("layers", "[{}]", "missing field 'layers[0].name'"),
            ("constantBytes", "\"many\"", "field 'constantBytes' is not an integer"),
        ]
        for (keyPath, json, fragment) in cases {
            let data = try Data(Self.replacing(keyPath, with: json, in: good).utf8)
            XCTAssertThrowsError(try EmitManifest.decode(data, path: "DIR/whittle.json"), "\(keyPath) = \(json)") { error in
                let text = String(describing: error)
                XCTAssertTrue(text.hasPrefix("DIR/whittle.json: "), text)
                XCTAssertTrue(text.contains(fragment), "\(keyPath) = \(json): '\(text)' lacks '\(fragment)'")
                XCTAssertFalse(text.contains("\n"), text)
            }
        }
        // Not JSON at all, truncated, nested too deep, too large: one line each, no trap.
        for (data, fragment) in [(Data("{".utf8), "not a valid whittle manifest"), (good.prefix(good.count / 2), "not a valid whittle manifest"),
                                 (Data(String(repeating: "[", count: 100_000).utf8), "not a valid whittle manifest"),
                                 (Data(), "not a valid whittle manifest"),
                                 (Data(count: EmitManifest.Limits.manifestBytes + 1), "more than the limit")] {
            XCTAssertThrowsError(try EmitManifest.decode(data, path: "whittle.json")) { error in
                let text = String(describing: error)
                XCTAssertTrue(text.hasPrefix("whittle.json: ") && text.contains(fragment), text)
                XCTAssertFalse(text.contains("\n"), text)
            }
        }
    }

    /// `verify DIR --target T` emits the folder's model again for T: the folder itself is checked
    /// first, and the bare-metal run uses whittle's staged harness.
    func testOtherTargetChecksTheFolderFirst() throws {
        let m0 = try TargetDescriptor.load(named: "cortex-m0", from: resources)
        let missing = Toolchain.missing(for: m0)
        try XCTSkipUnless(missing.isEmpty, "cortex-m0 skipped (install \(missing.map(\.package).joined(separator: " ")))")
        let folder = try emit(vectors: 2)
        let sweep = try TargetSweep.verify(folder, on: [m0], resources: resources, options: quick)
        guard case .verified(let report) = sweep.first?.outcome else { return XCTFail("\(sweep)") }
        XCTAssertTrue(report.passed, report.failure ?? "")
        XCTAssertNotNil(report.measurement?.instructions)

        try Data(cheatingHarness.utf8).write(to: folder.appendingPathComponent("test_main.c"))
        assertCheckFailure(try TargetSweep.verify(folder, on: [m0], resources: resources, options: quick), ["changed test_main.c"])
        let allowed = try TargetSweep.verify(folder, on: [m0], resources: resources, options: quickAllowingEdits)
        guard case .verified(let noted) = allowed.first?.outcome else { return XCTFail("\(allowed)") }
        XCTAssertTrue(noted.passed, noted.failure ?? "")
        XCTAssertEqual(noted.modifiedFiles?.changed, ["test_main.c"])
    }
}
