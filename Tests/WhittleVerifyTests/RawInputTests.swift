import Foundation
import XCTest
import WhittleCodegen
import WhittleIR
import WhittleVerify

/// `model_quantize_input` in the emitted C equals the QGraph's raw-input table (its Swift twin)
/// on all 256 byte values, laid out as the input is.
final class RawInputTests: XCTestCase {
    func testModelQuantizeInputEqualsTheTableOnEveryByte() throws {
        var graph = SampleGraphs.leNet(seed: 5)
        // A table with ties broken both ways, as float normalisation leaves them.
        let table: [Int8] = (0..<256).map { Int8(clamping: ($0 * 255 + ($0 % 3 == 0 ? 127 : 128)) / 256 - 128) }
        graph.rawInputTable = table
        let scratch = try makeScratchFolder("raw-input")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let folder = scratch.appendingPathComponent("c")
        try Emitter.emit(graph, options: EmitOptions(target: hostTarget, modelName: "raw.q", vectorCount: 1), resources: resources, to: folder)
        let header = try String(contentsOf: folder.appendingPathComponent("model.h"), encoding: .utf8)
        XCTAssertTrue(header.contains("void model_quantize_input(const uint8_t *raw, int8_t *input);"))
        let main = scratch.appendingPathComponent("main.c")
        try Data("""
        #include <stdio.h>
        #include "model.h"
        int main(void) {
            uint8_t raw[MODEL_INPUT_SIZE];
            int8_t input[MODEL_INPUT_SIZE];
            for (int i = 0; i < MODEL_INPUT_SIZE; i++) raw[i] = (uint8_t)(i * 7);
            model_quantize_input(raw, input);
            for (int i = 0; i < MODEL_INPUT_SIZE; i++) printf("%d\\n", input[i]);
            return 0;
        }
        """.utf8).write(to: main)
        let program = scratch.appendingPathComponent("raw")
        let build = try ProcessRunner.run([hostTarget.compiler] + hostTarget.cflags + ["-I", folder.path, "-o", program.path, main.path,
                                          folder.appendingPathComponent("model.c").path])
        XCTAssertEqual(build.status, 0, build.standardError)
        let c = try ProcessRunner.run([program.path]).standardOutput.split(separator: "\n").map { Int8($0)! }
        let size = graph.inputTensor.byteCount
        XCTAssertEqual(c, (0..<size).map { table[($0 * 7) % 256] })
        XCTAssertEqual(Set((0..<size).map { ($0 * 7) % 256 }).count, 256, "every byte value is exercised")
    }
}
