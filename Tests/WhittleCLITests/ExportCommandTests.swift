import Foundation
import XCTest

/// `whittle export` through the command line: a model trained and quantized with float32 scales
/// exports, imports back, and emits the same C; one quantized with double scales is refused in
/// one line naming the layer, and nothing is written.
final class ExportCommandTests: XCTestCase {
    func testExportImportEmitsTheSameC() throws {
        let dir = CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let spec = path("small.json")
        try PipelineCommandTests.smallSpec.write(toFile: spec, atomically: true, encoding: .utf8)
        XCTAssertEqual(try CLI.run(["train", spec, "-o", path("m.safetensors")]).status, 0)

        // Double scales: TFLite would derive other multipliers.
        XCTAssertEqual(try CLI.run(["quantize", spec, path("m.safetensors"), "-o", path("double.q")]).status, 0)
        CLI.expectFailure(try CLI.run(["export", path("double.q"), "-o", path("double.tflite")]),
                          ["double.q: layer 'conv1' (conv2d): TFLite derives output channel", "--float32-scales"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("double.tflite")))

        try FileManager.default.createDirectory(atPath: path("a"), withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: path("b"), withIntermediateDirectories: false)
        let quantize = try CLI.run(["quantize", spec, path("m.safetensors"), "-o", path("a/model.q"), "--float32-scales"])
        XCTAssertEqual(quantize.status, 0, quantize.stderr)
        let export = try CLI.json(try CLI.run(["export", path("a/model.q"), "-o", path("m.tflite"), "--json"]))
        XCTAssertEqual(export["operators"] as? [String], ["CONV_2D", "MAX_POOL_2D", "RESHAPE", "FULLY_CONNECTED"])
        XCTAssertEqual(export["bytes"] as? Int, try Data(contentsOf: URL(fileURLWithPath: path("m.tflite"))).count)
        let imported = try CLI.run(["import", path("m.tflite"), "-o", path("b/model.q")])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        for side in ["a", "b"] {
            let emit = try CLI.run(["emit", path("\(side)/model.q"), "-o", path("\(side)/c"), "--vectors", "4"])
            XCTAssertEqual(emit.status, 0, emit.stderr)
        }
        for file in ["model.c", "model_weights.c", "model.h", "kernels/conv2d_s8.c", "kernels/fc_s8.c"] {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("a/c/\(file)"))),
                           try Data(contentsOf: URL(fileURLWithPath: path("b/c/\(file)"))), file)
        }
        let text = try CLI.run(["export", path("a/model.q"), "-o", path("m.tflite")])
        XCTAssertTrue(text.stdout.contains("4 operators"), text.stdout)

        XCTAssertTrue(try CLI.run(["export", "--help"]).stdout.hasPrefix("usage: whittle export"))
        CLI.expectFailure(try CLI.run(["export", path("a/model.q")]), ["-o MODEL.tflite is required"])
        CLI.expectFailure(try CLI.run(["export", path("missing.q"), "-o", path("x.tflite")]), ["missing.q"])
    }
}
