import Foundation
import XCTest

/// MLPerf Tiny's four int8 reference models through the command line: `import` with the shared
/// vectors and TFLite's reference outputs, `emit`, and `verify`, which requires the C to equal
/// both the Swift reference and those outputs — on all 100 vectors on the host with the
/// sanitizers, and on Cortex-M4 under QEMU.
final class MLPerfTinyCommandTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("WhittleTFLiteTests/Fixtures/mlperf-tiny")

    /// Imports `name` with its vectors into `dir`; returns the .q path.
    private func importModel(_ name: String, into dir: URL) throws -> String {
        let q = dir.appendingPathComponent("\(name).q").path
        let vectors = Self.fixtures.appendingPathComponent("vectors/\(name)")
        let result = try CLI.run(["import", Self.fixtures.appendingPathComponent("\(name).tflite").path, "-o", q,
                                  "--vectors", vectors.appendingPathComponent("inputs.bin").path,
                                  "--expected", vectors.appendingPathComponent("expected.bin").path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("100 test vectors with expected outputs"), result.stdout)
        return q
    }

    func testAnomalyDetectionEqualsTFLiteReference() throws { try assertEqualsTFLiteReference("ad01_int8") }
    func testKeywordSpottingEqualsTFLiteReference() throws { try assertEqualsTFLiteReference("kws_ref_model") }
    func testImageClassificationEqualsTFLiteReference() throws { try assertEqualsTFLiteReference("pretrainedResnet_quant") }
    func testVisualWakeWordsEqualsTFLiteReference() throws { try assertEqualsTFLiteReference("vww_96_int8") }

    /// One model per test, so a parallel run spreads them: all 100 vectors on the host with the
    /// sanitizers, the first 10 on Cortex-M4 under QEMU (`make bench` runs all 100 there).
    private func assertEqualsTFLiteReference(_ name: String) throws {
        let dir = CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let q = try importModel(name, into: dir)
        let folder = dir.appendingPathComponent(name).path
        let emit = try CLI.run(["emit", q, "-o", folder])
        XCTAssertEqual(emit.status, 0, emit.stderr)
        let host = try CLI.json(try CLI.run(["verify", folder, "--json"]))
        let expected = try XCTUnwrap(host["expected_comparison"] as? [String: Any], "\(name): \(host)")
        XCTAssertEqual(expected["vectors"] as? Int, 100, name)
        XCTAssertEqual(expected["mismatched_bytes"] as? Int, 0, name)
        XCTAssertEqual((host["comparison"] as? [String: Any])?["mismatched_bytes"] as? Int, 0, name)
        XCTAssertEqual((host["sanitizer"] as? [String: Any])?["passed"] as? Bool, true, name)
        let m4 = try CLI.run(["verify", folder, "--target", "cortex-m4", "--vectors", "10"])
        XCTAssertEqual(m4.status, 0, m4.stderr)
        XCTAssertTrue(m4.stdout.contains("bit-exact (10), = expected"), "\(name): \(m4.stdout)")
    }

    /// `run MODEL.tflite` imports, emits and verifies in one go.
    func testRunImportsEmitsAndVerifies() throws {
        let dir = CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let vectors = Self.fixtures.appendingPathComponent("vectors/ad01_int8")
        let json = try CLI.json(try CLI.run(["run", Self.fixtures.appendingPathComponent("ad01_int8.tflite").path, "-o", dir.path,
                                             "--vectors", vectors.appendingPathComponent("inputs.bin").path,
                                             "--expected", vectors.appendingPathComponent("expected.bin").path, "--json"]))
        XCTAssertEqual(json["nodes"] as? Int, 10)
        let verify = try XCTUnwrap(json["verify"] as? [String: Any])
        XCTAssertEqual((verify["expected_comparison"] as? [String: Any])?["mismatched_bytes"] as? Int, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.q").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("c/model.c").path))
    }

    /// A changed expected output is caught: verify exits 1 naming the first differing byte.
    func testAWrongExpectedOutputFails() throws {
        let dir = CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let vectors = Self.fixtures.appendingPathComponent("vectors/kws_ref_model")
        var expected = try Data(contentsOf: vectors.appendingPathComponent("expected.bin"))
        expected[12 * 7 + 3] ^= 1
        let wrong = dir.appendingPathComponent("wrong.bin")
        try expected.write(to: wrong)
        let q = dir.appendingPathComponent("kws.q").path
        let imported = try CLI.run(["import", Self.fixtures.appendingPathComponent("kws_ref_model.tflite").path, "-o", q,
                                    "--vectors", vectors.appendingPathComponent("inputs.bin").path, "--expected", wrong.path])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        let folder = dir.appendingPathComponent("kws").path
        XCTAssertEqual(try CLI.run(["emit", q, "-o", folder, "--vectors", "10"]).status, 0)
        let verify = try CLI.run(["verify", folder])
        XCTAssertEqual(verify.status, 1, verify.stdout + verify.stderr)
        XCTAssertTrue((verify.stdout + verify.stderr).contains("vector 7, output 3"), verify.stdout + verify.stderr)
    }

    func testBadInputIsOneLine() throws {
        let dir = CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = Self.fixtures.appendingPathComponent("ad01_int8.tflite").path
        let q = dir.appendingPathComponent("m.q").path
        // Not a TFLite model; truncated; vectors of the wrong size; --expected without --vectors.
        let text = dir.appendingPathComponent("notes.tflite")
        try Data("just some text, long enough to be read".utf8).write(to: text)
        CLI.expectFailure(try CLI.run(["import", text.path, "-o", q]), ["\(text.path): ", "not a TFLite model"])
        let cut = dir.appendingPathComponent("cut.tflite")
        try Data(try Data(contentsOf: URL(fileURLWithPath: model)).prefix(5000)).write(to: cut)
        CLI.expectFailure(try CLI.run(["import", cut.path, "-o", q]), ["\(cut.path): "])
        let odd = dir.appendingPathComponent("odd.bin")
        try Data(count: 641).write(to: odd)
        CLI.expectFailure(try CLI.run(["import", model, "-o", q, "--vectors", odd.path]), ["\(odd.path): 641 bytes", "640-byte"])
        CLI.expectFailure(try CLI.run(["import", model, "-o", q, "--expected", odd.path]), ["--expected needs --vectors"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: q), "nothing written on error")
    }
}
