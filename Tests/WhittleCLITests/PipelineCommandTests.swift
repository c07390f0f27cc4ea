import Foundation
import XCTest

/// train → quantize → emit → verify through the command line, and `run`, on a small synthetic model.
final class PipelineCommandTests: XCTestCase {
    static let smallSpec = """
    {"name": "small-cnn", "input": [1, 28, 28],
     "layers": [{"name": "conv1", "type": "conv2d", "out_channels": 4, "kernel": 5, "stride": 2},
                {"name": "bn1", "type": "batchnorm2d"}, {"type": "relu6"},
                {"name": "pool1", "type": "maxpool2d", "kernel": 2},
                {"type": "flatten"}, {"name": "fc1", "type": "linear", "out_features": 10}],
     "data": {"synthetic": {"train": 1500, "test": 300}},
     "train": {"epochs": 2, "batch_size": 32, "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9}},
     "quantize": {"calibration": 200}}
    """

    func writeSpec(_ dir: URL) throws -> String {
        let url = dir.appendingPathComponent("small.json")
        try Self.smallSpec.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testStageByStageIsBitExactAndAgreesWithFloat() throws {
        let dir = CLI.temporaryFolder()
        let spec = try writeSpec(dir)
        let model = dir.appendingPathComponent("m.safetensors").path, q = dir.appendingPathComponent("m.q").path
        XCTAssertEqual(try CLI.run(["train", spec, "-o", model]).status, 0)
        let quantize = try CLI.run(["quantize", spec, model, "-o", q, "--json"])
        XCTAssertEqual(quantize.status, 0, quantize.stderr)
        let emitted = dir.appendingPathComponent("c").path
        let emit = try CLI.run(["emit", q, "--target", "host", "-o", emitted])
        XCTAssertEqual(emit.status, 0, emit.stderr)
        let verify = try CLI.run(["verify", emitted, "--json"])
        XCTAssertEqual(verify.status, 0, verify.stderr)
        let json = try CLI.json(verify)
        let comparison = json["comparison"] as! [String: Any]
        XCTAssertEqual(comparison["mismatched_bytes"] as? Int, 0)
        XCTAssertEqual(comparison["vectors"] as? Int, 300)
        let accuracy = json["accuracy"] as! [String: Any]
        XCTAssertGreaterThan(accuracy["top1_agreement_with_float"] as! Double, 0.95)
        XCTAssertEqual(accuracy["c_accuracy"] as! Double, accuracy["reference_accuracy"] as! Double)
        XCTAssertLessThan(abs((accuracy["c_accuracy"] as! Double) - (accuracy["float_accuracy"] as! Double)), 0.03)
    }

    func testRunPrintsEveryStage() throws {
        let dir = CLI.temporaryFolder()
        let spec = try writeSpec(dir)
        let html = dir.appendingPathComponent("run.html")
        let r = try CLI.run(["run", spec, "-o", dir.appendingPathComponent("out").path, "--report", html.path, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try CLI.json(r)
        XCTAssertEqual(json["bit_exact"] as? Bool, true)
        let stages = json["stages"] as! [[String: Any]]
        XCTAssertEqual(stages.map { $0["stage"] as! String }, ["float32 trained", "int8 C (host)"])
        XCTAssertLessThan(stages[1]["flash_bytes"] as! Int, stages[0]["flash_bytes"] as! Int / 3)
        let page = try String(contentsOf: html, encoding: .utf8)
        XCTAssertTrue(page.contains("<svg") && page.contains("Accuracy per stage") && page.contains("int8 C (host)"))
        for file in ["model.safetensors", "model.q", "c/model.c", "c/model_weights.c", "c/model.h"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/\(file)").path), file)
        }
    }

    func testQATConvertedGraphIsBitExactInC() throws {
        let dir = CLI.temporaryFolder()
        let spec = try writeSpec(dir)
        let model = dir.appendingPathComponent("m.safetensors").path, q = dir.appendingPathComponent("qat.q").path
        XCTAssertEqual(try CLI.run(["train", spec, "-o", model]).status, 0)
        let r = try CLI.run(["quantize", spec, model, "--qat", "1", "-o", q, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try CLI.json(r)
        XCTAssertNotNil(json["fake_quant_test_accuracy"] as? Double)
        let c = dir.appendingPathComponent("c").path
        XCTAssertEqual(try CLI.run(["emit", q, "-o", c]).status, 0)
        let v = try CLI.run(["verify", c, "--json"])
        XCTAssertEqual(v.status, 0, v.stderr)
        let report = try CLI.json(v)
        XCTAssertEqual((report["comparison"] as! [String: Any])["mismatched_bytes"] as? Int, 0)
        XCTAssertGreaterThan((report["accuracy"] as! [String: Any])["top1_agreement_with_float"] as! Double, 0.98,
                             "C int8 vs the QAT model's fake-quantized forward pass")
    }

    func testCompareRunsEveryMethodThroughC() throws {
        let dir = CLI.temporaryFolder()
        let spec = try writeSpec(dir)
        let model = dir.appendingPathComponent("m.safetensors").path
        XCTAssertEqual(try CLI.run(["train", spec, "-o", model]).status, 0)
        let r = try CLI.run(["quantize", spec, model, "--compare", "--qat", "1", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = try CLI.json(r)["methods"] as! [[String: Any]]
        let names = rows.map { $0["method"] as! String }
        for expected in ["float32 (Swift)", "dynamic int8 (Swift)", "per-tensor min/max (C)", "per-channel min/max (C)",
                         "per-channel MSE (C)", "per-channel entropy (KL) (C)", "float32 control, +1 epochs (Swift)"] {
            XCTAssertTrue(names.contains(expected), "\(expected) missing from \(names)")
        }
        XCTAssertTrue(names.contains { $0.hasPrefix("QAT 1 epochs") })
        let float = rows[0]["accuracy"] as! Double
        for row in rows where row["bit_exact"] != nil {
            XCTAssertEqual(row["bit_exact"] as? Bool, true)
            XCTAssertLessThan(abs((row["accuracy"] as! Double) - float), 0.1, "\(row)")
        }
    }

    /// The slim recipe on small synthetic specs: teacher trained (no checkpoint yet) → student
    /// distilled → pruned with fine-tuning → QAT → C, each a row of the stage table.
    func testChainedRecipeRunsEveryStage() throws {
        let dir = CLI.temporaryFolder()
        let data = #""data": {"synthetic": {"train": 1200, "test": 300}}"#
        try #"{"name": "teacher", "input": [1, 28, 28], "layers": [{"name": "conv1", "type": "conv2d", "out_channels": 8, "kernel": 5, "stride": 2}, {"type": "relu"}, {"type": "flatten"}, {"name": "fc1", "type": "linear", "out_features": 10}], \#(data), "train": {"epochs": 2, "batch_size": 32, "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9}}}"#
            .write(to: dir.appendingPathComponent("teacher.json"), atomically: true, encoding: .utf8)
        let student = dir.appendingPathComponent("slim.json")
        try #"""
        {"name": "slim", "input": [1, 28, 28],
         "layers": [{"name": "conv1", "type": "conv2d", "out_channels": 4, "kernel": 5, "stride": 2}, {"name": "r1", "type": "relu"},
                    {"type": "flatten"}, {"name": "fc1", "type": "linear", "out_features": 10}],
         \#(data),
         "train": {"epochs": 2, "batch_size": 32, "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9}},
         "distill": {"teacher": {"spec": "teacher.json", "model": "teacher.safetensors"}, "response": {"temperature": 2, "alpha": 0.5}},
         "prune": {"criterion": "l1", "scope": "global", "sparsity": 0.6,
                   "fine_tune": {"epochs": 1, "batch_size": 32, "optimizer": {"type": "sgd", "lr": 0.01, "momentum": 0.9}}},
         "quantize": {"calibration": 200, "qat": {"train": {"epochs": 1, "batch_size": 32}}}}
        """#.write(to: student, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let r = try CLI.run(["run", student.path, "-o", out.path, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try CLI.json(r)
        XCTAssertEqual(json["bit_exact"] as? Bool, true)
        let stages = json["stages"] as! [[String: Any]]
        XCTAssertEqual(stages.map { $0["stage"] as! String },
                       ["teacher float32", "student distilled", "pruned + fine-tuned", "QAT fake-quant (Swift)", "int8 C (host)"])
        let pruned = stages[2], c = stages[4]
        XCTAssertLessThan(Double(pruned["nonzeros"] as! Int), 0.5 * Double(pruned["parameters"] as! Int))
        XCTAssertLessThanOrEqual(c["macs"] as! Int, stages[1]["macs"] as! Int, "pruned C executes fewer MACs")
        let teacher = out.appendingPathComponent("teacher.safetensors")
        XCTAssertTrue(FileManager.default.fileExists(atPath: teacher.path))
        XCTAssertGreaterThan(json["top1_agreement"] as! Double, 0.97, "C vs the QAT model's fake-quantized forward pass")

        // The trained teacher reused: loaded, not trained again (nothing saved), same accuracy.
        let again = dir.appendingPathComponent("again")
        let reused = try CLI.run(["run", student.path, "-o", again.path, "--teacher-model", teacher.path, "--json"])
        XCTAssertEqual(reused.status, 0, reused.stderr)
        let reusedStages = try CLI.json(reused)["stages"] as! [[String: Any]]
        XCTAssertEqual(reusedStages[0]["accuracy"] as? Double, stages[0]["accuracy"] as? Double)
        XCTAssertFalse(FileManager.default.fileExists(atPath: again.appendingPathComponent("teacher.safetensors").path))
        let missing = dir.appendingPathComponent("none.safetensors").path
        CLI.expectFailure(try CLI.run(["run", student.path, "-o", again.path, "--teacher-model", missing]), ["--teacher-model \(missing)", "no such file"])
        CLI.expectFailure(try CLI.run(["run", try writeSpec(dir), "-o", again.path, "--teacher-model", teacher.path]),
                          ["--teacher-model needs a spec with a distill section"])
    }

    func testQuantizeBadInput() throws {
        let dir = CLI.temporaryFolder()
        let spec = try writeSpec(dir)
        let model = dir.appendingPathComponent("m.safetensors").path, q = dir.appendingPathComponent("m.q")
        XCTAssertEqual(try CLI.run(["train", spec, "--epochs", "0", "-o", model]).status, 0)
        CLI.expectFailure(try CLI.run(["quantize", spec, model, "--calibration", "0", "-o", q.path]), ["calibration set is empty"])
        CLI.expectFailure(try CLI.run(["quantize", spec, dir.appendingPathComponent("nope.safetensors").path, "-o", q.path]), ["nope.safetensors"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: q.path))
        let missing = "/proc/whittle-cannot-write/m.q"
        CLI.expectFailure(try CLI.run(["quantize", spec, model, "-o", missing]), ["-o \(missing)", "does not exist"])
        CLI.expectFailure(try CLI.run(["quantize", spec, model, "-o", "/proc/m.q"]), ["-o /proc/m.q", "is not writable"])
    }
}
