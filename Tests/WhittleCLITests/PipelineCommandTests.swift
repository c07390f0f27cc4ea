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
        // One definition of MACs: the C's executed ones beside the dense model's, which every stage shares.
        XCTAssertNil(stages[0]["executed_macs"], "a float stage runs dense in Swift")
        XCTAssertEqual(stages[0]["dense_macs"] as? Int, stages[1]["dense_macs"] as? Int)
        XCTAssertEqual(stages[1]["executed_macs"] as? Int, stages[1]["dense_macs"] as? Int, "nothing pruned")
        let page = try String(contentsOf: html, encoding: .utf8)
        for section in ["Test accuracy per stage", "int8 C (host)", "The int8 C, layer by layer", "conv1", "fc1",
                        "Where quantization error enters", "SQNR per layer"] {
            XCTAssertTrue(page.contains(section), section)
        }
        XCTAssertFalse(page.contains("Where the nonzero weights are"), "no masks to draw in a dense model")
        for file in ["model.safetensors", "model.q", "c/model.c", "c/model_weights.c", "c/model.h"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/\(file)").path), file)
        }
    }

    func testQATConvertedGraphIsBitExactInC() throws {
        let dir = CLI.temporaryFolder()
        let spec = try writeSpec(dir)
        let model = dir.appendingPathComponent("m.safetensors").path, q = dir.appendingPathComponent("qat.q").path
        XCTAssertEqual(try CLI.run(["train", spec, "-o", model]).status, 0)
        let qatModel = dir.appendingPathComponent("qat.safetensors").path
        let r = try CLI.run(["quantize", spec, model, "--qat", "1", "--save-qat", qatModel, "-o", q, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try CLI.json(r)
        XCTAssertNotNil(json["fake_quant_test_accuracy"] as? Double)
        XCTAssertEqual(try CLI.run(["eval", spec, qatModel]).status, 0, "the QAT-trained weights load as a checkpoint")
        CLI.expectFailure(try CLI.run(["quantize", spec, model, "--save-qat", qatModel, "-o", q]), ["--save-qat needs --qat"])
        let c = dir.appendingPathComponent("c").path
        XCTAssertEqual(try CLI.run(["emit", q, "-o", c]).status, 0)
        let v = try CLI.run(["verify", c, "--json"])
        XCTAssertEqual(v.status, 0, v.stderr)
        let report = try CLI.json(v)
        XCTAssertEqual((report["comparison"] as! [String: Any])["mismatched_bytes"] as? Int, 0)
        XCTAssertGreaterThan((report["accuracy"] as! [String: Any])["top1_agreement_with_float"] as! Double, 0.9,
                             "C int8 vs the float model given to quantize, before QAT")
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
        let html = dir.appendingPathComponent("slim.html")
        let r = try CLI.run(["run", student.path, "-o", out.path, "--report", html.path, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try CLI.json(r)
        XCTAssertEqual(json["bit_exact"] as? Bool, true)
        let stages = json["stages"] as! [[String: Any]]
        XCTAssertEqual(stages.map { $0["stage"] as! String },
                       ["teacher float32", "student distilled", "pruned + fine-tuned", "QAT fake-quant (Swift)", "int8 C (host)"])
        let pruned = stages[2], qat = stages[3], c = stages[4]
        XCTAssertLessThan(Double(pruned["nonzeros"] as! Int), 0.5 * Double(pruned["parameters"] as! Int))
        XCTAssertEqual(qat["nonzeros"] as? Int, pruned["nonzeros"] as? Int, "QAT keeps the pruned zeros")
        XCTAssertLessThanOrEqual(c["executed_macs"] as! Int, c["dense_macs"] as! Int, "a sparse kernel only where it is faster")
        XCTAssertEqual(stages.map { $0["teacher"] as? Bool }, [true, false, false, false, false])
        let page = try String(contentsOf: html, encoding: .utf8)
        for section in ["The teacher (trained apart, not shipped)", "Where the nonzero weights are", "conv1: ", "fc1: "] {
            XCTAssertTrue(page.contains(section), section)
        }
        let teacher = out.appendingPathComponent("teacher.safetensors")
        XCTAssertTrue(FileManager.default.fileExists(atPath: teacher.path))
        // The agreement is with the float model saved (before QAT); the QAT model is saved beside it.
        XCTAssertGreaterThan(json["top1_agreement"] as! Double, 0.9, "C vs model.safetensors")
        let qatModel = out.appendingPathComponent("model-qat.safetensors").path
        let saved = try CLI.json(try CLI.run(["eval", student.path, qatModel, "--json"]))
        XCTAssertEqual(saved["accuracy"] as! Double, stages[3]["accuracy"] as! Double, accuracy: 0.05,
                       "the QAT-trained float weights score about what their fake-quantized forward pass does")
        // quantize --qat of the pruned checkpoint keeps its zeros too.
        let q = dir.appendingPathComponent("pruned-qat.q").path
        XCTAssertEqual(try CLI.run(["quantize", student.path, out.appendingPathComponent("model.safetensors").path, "--qat", "1", "-o", q]).status, 0)
        let layers = try CLI.json(try CLI.run(["inspect", q, "--json"]))["layers"] as! [[String: Any]]
        XCTAssertLessThanOrEqual(layers.map { $0["nonzeros"] as! Int }.reduce(0, +), pruned["nonzeros"] as! Int)

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
