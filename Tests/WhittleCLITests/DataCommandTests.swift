import Foundation
import XCTest
import WhittleNN

/// NumPy folders and autoencoders through the command line: `train` and `eval` on `.npy` files,
/// the reconstruction figures and anomaly AUC, and bad files as one-line errors with exit 2.
final class DataCommandTests: XCTestCase {
    /// A folder of uint8 [N, 16] cluster vectors with labels, both splits.
    private func npyFolder() throws -> URL {
        let dir = CLI.temporaryFolder()
        for (split, count, seed) in [("train", 3000, UInt64(1)), ("test", 300, 2)] {
            let data = try SyntheticData.generate(shape: [16], classes: 4, count: count, seed: seed)
            guard case .bytes(let b) = data.values else { throw DataError("not bytes") }
            try NPYFile.encode(bytes: b, shape: [count, 16]).write(to: dir.appendingPathComponent("x_\(split).npy"))
            try NPYFile.encode(labels: data.labels.map(Int64.init)).write(to: dir.appendingPathComponent("y_\(split).npy"))
        }
        return dir
    }

    func testAutoencoderTrainsAndEvaluatesOnNPY() throws {
        let data = try npyFolder()
        let spec = data.appendingPathComponent("ae.json")
        try """
        {"name": "ae", "input": [16], "layers": [{"type": "linear", "out_features": 4}, {"type": "relu"}, {"type": "linear", "out_features": 16}],
         "data": {"dir": ".", "normal_classes": [0]},
         "train": {"target": "input", "epochs": 10, "batch_size": 16, "optimizer": {"type": "adam", "lr": 0.01}}}
        """.write(to: spec, atomically: true, encoding: .utf8)
        let model = data.appendingPathComponent("ae.safetensors").path
        let t = try CLI.run(["train", spec.path, "-o", model, "--json"])
        XCTAssertEqual(t.status, 0, t.stderr)
        let reconstruction = try XCTUnwrap(try CLI.json(t)["reconstruction"] as? [String: Any])
        XCTAssertGreaterThan(try XCTUnwrap(reconstruction["auc"] as? Double), 0.9)
        let e = try CLI.run(["eval", spec.path, model, "--json"])
        XCTAssertEqual(e.status, 0, e.stderr)
        let json = try CLI.json(e)
        XCTAssertEqual(json["auc"] as? Double, reconstruction["auc"] as? Double)
        XCTAssertEqual(json["samples"] as? Int, 300)
        XCTAssertEqual(json["normal_classes"] as? [Int], [0])
        let text = try CLI.run(["eval", spec.path, model])
        XCTAssertTrue(text.stdout.contains("reconstruction error"), text.stdout)
        XCTAssertTrue(text.stdout.contains("anomaly AUC"), text.stdout)

        // The int8 C: its harness prints each input's reconstruction error, verify checks them
        // against the C outputs and scores them as an anomaly detector beside the float model.
        let q = data.appendingPathComponent("ae.q").path, c = data.appendingPathComponent("c").path
        XCTAssertEqual(try CLI.run(["quantize", spec.path, model, "-o", q]).status, 0)
        XCTAssertEqual(try CLI.run(["emit", q, "-o", c]).status, 0)
        let header = try String(contentsOfFile: c + "/model.h", encoding: .utf8)
        XCTAssertTrue(header.contains("#define MODEL_RECONSTRUCTS_INPUT 1"), header)
        let v = try CLI.run(["verify", c, "--json"])
        XCTAssertEqual(v.status, 0, v.stderr)
        let verified = try XCTUnwrap(try CLI.json(v)["reconstruction"] as? [String: Any])
        XCTAssertEqual(verified["harness_agrees"] as? Bool, true)
        XCTAssertEqual(verified["vectors"] as? Int, 300)
        let cAUC = try XCTUnwrap(verified["c_auc"] as? Double), floatAUC = try XCTUnwrap(verified["float_auc"] as? Double)
        XCTAssertGreaterThan(cAUC, 0.9)
        XCTAssertEqual(cAUC, floatAUC, accuracy: 0.02, "int8 scores anomalies as the float model does")
        XCTAssertEqual(try CLI.json(v)["accuracy"] as? [String: Any] == nil, true, "no class accuracy for an autoencoder")
        // Emitted again for a microcontroller, the folder keeps the task: the errors come from its outputs.
        let m4 = try CLI.run(["verify", c, "--target", "cortex-m4", "--vectors", "20", "--json"])
        XCTAssertEqual(m4.status, 0, m4.stderr)
        let entry = try XCTUnwrap((try CLI.json(m4)["targets"] as? [[String: Any]])?.first)
        let onTarget = try XCTUnwrap(entry["reconstruction"] as? [String: Any], "\(entry)")
        XCTAssertEqual(onTarget["vectors"] as? Int, 20)
        XCTAssertNil(onTarget["harness_agrees"], "the bare-metal harness prints no errors")
    }

    func testBadNPYFilesFailWithOneLine() throws {
        let data = try npyFolder()
        let spec = data.appendingPathComponent("mlp.json")
        try #"{"name": "m", "input": [16], "layers": [{"type": "linear", "out_features": 4}], "train": {"epochs": 1}}"#
            .write(to: spec, atomically: true, encoding: .utf8)
        let out = data.appendingPathComponent("m.safetensors").path
        let x = data.appendingPathComponent("x_train.npy")
        func train() throws -> CLI.Result { try CLI.run(["train", spec.path, "--data", data.path, "-o", out]) }
        XCTAssertEqual(try train().status, 0)
        let wrongShape = #"{"name": "m", "input": [4, 4], "layers": [{"type": "flatten"}, {"type": "linear", "out_features": 4}]}"#
        try wrongShape.write(to: spec, atomically: true, encoding: .utf8)
        CLI.expectFailure(try train(), ["samples are [16], but the spec's input is [4, 4]"])
        try #"{"name": "m", "input": [16], "layers": [{"type": "linear", "out_features": 3}]}"#.write(to: spec, atomically: true, encoding: .utf8)
        CLI.expectFailure(try train(), ["y_train.npy: sample", "but the model has 3 outputs (labels 0…2)"])
        try NPYFile.encode(descr: "<f8", shape: [2, 16], body: Data(count: 256)).write(to: x)
        CLI.expectFailure(try train(), ["x_train.npy: dtype '<f8' is not supported (uint8 or float32)"])
        try NPYFile.encode(descr: "|u1", shape: [2, 16], body: Data(count: 32), fortranOrder: true).write(to: x)
        CLI.expectFailure(try train(), ["x_train.npy: fortran_order is True"])
        try NPYFile.encode(bytes: [UInt8](repeating: 0, count: 32), shape: [2, 16]).prefix(80).write(to: x)
        CLI.expectFailure(try train(), ["x_train.npy: truncated"])
        // An ADD of two shapes names the layer and both shapes.
        try #"{"name": "m", "input": [1, 4, 4], "layers": [{"name": "c", "type": "conv2d", "out_channels": 2, "kernel": 1}, {"name": "s", "type": "add", "inputs": ["input", "c"]}]}"#
            .write(to: spec, atomically: true, encoding: .utf8)
        CLI.expectFailure(try train(), ["layer 's' (add): needs two or more inputs of one shape, got [[1, 4, 4], [2, 4, 4]]"])
    }
}
