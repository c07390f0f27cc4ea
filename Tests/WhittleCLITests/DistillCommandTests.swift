import Foundation
import XCTest

/// `whittle distill`: a short run on the synthetic digits, the same
/// initialisation as `train`, and every bad input as one error line with exit 2.
final class DistillCommandTests: XCTestCase {
    static let data = #""data": {"synthetic": {"train": 1200, "test": 300}}, "train": {"epochs": 1, "batch_size": 32, "seed": 3, "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9}}"#

    static func teacher(outputs: Int = 10) -> String {
        #"""
        {"name": "teacher", "input": [1, 28, 28],
         "layers": [{"name": "conv1", "type": "conv2d", "out_channels": 6, "kernel": 5}, {"name": "relu1", "type": "relu"},
                    {"name": "pool1", "type": "maxpool2d", "kernel": 2}, {"type": "flatten"},
                    {"name": "fc1", "type": "linear", "out_features": 32}, {"name": "relu2", "type": "relu"},
                    {"name": "fc2", "type": "linear", "out_features": \#(outputs)}], \#(data)}
        """#
    }

    static func student(_ distill: String?) -> String {
        #"""
        {"name": "student", "input": [1, 28, 28],
         "layers": [{"name": "conv1", "type": "conv2d", "out_channels": 2, "kernel": 5}, {"name": "relu1", "type": "relu"},
                    {"name": "pool1", "type": "maxpool2d", "kernel": 2}, {"type": "flatten"},
                    {"name": "fc1", "type": "linear", "out_features": 16}, {"name": "relu2", "type": "relu"},
                    {"name": "fc2", "type": "linear", "out_features": 10}], \#(data)\#(distill.map { ", \"distill\": \($0)" } ?? "")}
        """#
    }

    /// A folder with a trained teacher (teacher.json, teacher.safetensors).
    func folder() throws -> URL {
        let dir = CLI.temporaryFolder()
        try Self.teacher().write(to: dir.appendingPathComponent("teacher.json"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["train", dir.appendingPathComponent("teacher.json").path, "-o", dir.appendingPathComponent("teacher.safetensors").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        return dir
    }

    func write(_ dir: URL, _ name: String, _ text: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testDistillRunsEveryKindAndStartsWhereTrainStarts() throws {
        let dir = try folder()
        let spec = try write(dir, "student.json", Self.student(#"""
            {"teacher": {"spec": "teacher.json", "model": "teacher.safetensors"},
             "response": {"temperature": 4, "alpha": 0.9},
             "feature": [{"student": "relu1", "teacher": "relu1", "weight": 0.1}],
             "relation": {"distance": 1, "angle": 2}}
            """#))
        let out = dir.appendingPathComponent("student.safetensors").path
        // The executable, run from another folder: the teacher's paths are relative to the spec, not the cwd.
        let r = try CLI.spawn(["distill", spec, "-o", out, "--json"], cwd: FileManager.default.temporaryDirectory)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.isEmpty, r.stderr)
        let json = try CLI.json(r)
        XCTAssertEqual(json["kinds"] as? [String], ["response", "feature", "relation"])
        XCTAssertGreaterThan(json["test_accuracy"] as! Double, 0.5)
        XCTAssertGreaterThan(json["teacher_test_accuracy"] as! Double, 0.5)
        let epochs = json["epochs"] as! [[String: Any]]
        XCTAssertEqual(epochs.count, 1)
        XCTAssertEqual(Set((epochs[0]["terms"] as! [String: Double]).keys), ["cross_entropy", "response", "feature", "distance", "angle"])
        let eval = try CLI.run(["eval", spec, out, "--json"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let ej = try CLI.json(eval)
        XCTAssertEqual(ej["accuracy"] as! Double, json["test_accuracy"] as! Double)
        // Zero epochs: the student is exactly `train`'s initialisation for that seed.
        let a = dir.appendingPathComponent("a.safetensors").path, b = dir.appendingPathComponent("b.safetensors").path
        XCTAssertEqual(try CLI.run(["distill", spec, "-o", a, "--epochs", "0", "--seed", "7"]).status, 0)
        XCTAssertEqual(try CLI.run(["train", spec, "-o", b, "--epochs", "0", "--seed", "7"]).status, 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: a)), try Data(contentsOf: URL(fileURLWithPath: b)))
        let help = try CLI.run(["distill", "--help"])
        XCTAssertTrue(help.stdout.contains("usage: whittle distill SPEC -o STUDENT.safetensors"))
    }

    func testBadInputFailsWithOneLineAndLeavesNoFile() throws {
        let dir = try folder()
        let out = dir.appendingPathComponent("out.safetensors")
        let teacher = #""teacher": {"spec": "teacher.json", "model": "teacher.safetensors"}"#
        func distill(_ name: String, _ section: String?, _ extra: [String] = []) throws -> CLI.Result {
            try CLI.run(["distill", try write(dir, name, Self.student(section)), "-o", out.path] + extra)
        }
        CLI.expectFailure(try distill("t0.json", #"{\#(teacher), "response": {"temperature": 0}}"#),
                          ["t0.json", "distill.response.temperature", "must be a positive number"])
        CLI.expectFailure(try distill("tneg.json", #"{\#(teacher), "response": {"temperature": -1}}"#), ["distill.response.temperature"])
        CLI.expectFailure(try distill("alpha.json", #"{\#(teacher), "response": {"alpha": 1.5}}"#),
                          ["alpha.json", "distill.response.alpha", "must be in [0, 1]"])
        CLI.expectFailure(try distill("alphaneg.json", #"{\#(teacher), "response": {"alpha": -0.5}}"#), ["distill.response.alpha"])
        // A teacher scoring 12 classes.
        try Self.teacher(outputs: 12).write(to: dir.appendingPathComponent("twelve.json"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try CLI.run(["train", dir.appendingPathComponent("twelve.json").path, "--epochs", "0",
                                    "-o", dir.appendingPathComponent("twelve.safetensors").path]).status, 0)
        CLI.expectFailure(try distill("twelve-student.json", #"{"teacher": {"spec": "twelve.json", "model": "twelve.safetensors"}, "response": {}}"#),
                          ["twelve-student.json", "distill.teacher", "the teacher has 12 outputs but the student 10"])
        CLI.expectFailure(try distill("nohint.json", #"{\#(teacher), "feature": [{"student": "conv9", "teacher": "conv1"}]}"#),
                          ["nohint.json", "distill.feature[0].student", "no layer 'conv9'"])
        CLI.expectFailure(try distill("noteacherhint.json", #"{\#(teacher), "feature": [{"student": "relu1", "teacher": "fc9"}]}"#),
                          ["distill.feature[0].teacher", "no layer 'fc9'"])
        // Student relu1 is 2×24×24, the teacher's pool1 6×12×12.
        CLI.expectFailure(try distill("spatial.json", #"{\#(teacher), "feature": [{"student": "relu1", "teacher": "pool1"}]}"#),
                          ["spatial.json", "distill.feature[0]", "cannot adapt student 'relu1' [2, 24, 24] to teacher 'pool1' [6, 12, 12]", "spatial sizes differ"])
        CLI.expectFailure(try distill("flat.json", #"{\#(teacher), "feature": [{"student": "fc1", "teacher": "pool1"}]}"#),
                          ["distill.feature[0]", "cannot adapt student 'fc1' [16]"])
        CLI.expectFailure(try distill("nosection.json", nil), ["nosection.json", "distill: missing section"])
        CLI.expectFailure(try distill("nomodel.json", #"{"teacher": {"spec": "teacher.json"}, "response": {}}"#),
                          ["distill.teacher.model", "--teacher-model"])
        CLI.expectFailure(try distill("missing.json", #"{\#(teacher), "response": {}}"#, ["--teacher-model", dir.appendingPathComponent("gone.safetensors").path]),
                          ["gone.safetensors"])
        CLI.expectFailure(try CLI.run(["distill", try write(dir, "noout.json", Self.student(#"{\#(teacher), "response": {}}"#))]), ["missing -o"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "no output may be left behind")
    }
}
