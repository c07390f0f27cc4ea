import Foundation
import XCTest

/// The float-side commands end to end through the command line: help, happy paths, bad input.
final class FloatCommandTests: XCTestCase {
    func testHelpForEveryCommand() throws {
        let top = try CLI.run(["--help"])
        XCTAssertEqual(top.status, 0)
        for command in ["train", "eval", "inspect", "demo"] {
            XCTAssertTrue(top.stdout.contains(command))
            let r = try CLI.run([command, "--help"])
            XCTAssertEqual(r.status, 0)
            XCTAssertTrue(r.stdout.contains("usage: whittle \(command)"), r.stdout)
        }
        CLI.expectFailure(try CLI.run(["frobnicate"]), ["unknown command 'frobnicate'"])
        CLI.expectFailure(try CLI.run(["inspect", CLI.example("lenet.json"), "--bogus"]), ["unknown option --bogus"])
    }

    func testInspectReportsLeNetTotals() throws {
        let r = try CLI.run(["inspect", CLI.example("lenet.json"), "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try CLI.json(r)
        XCTAssertEqual(json["parameters"] as? Int, 44_426)
        XCTAssertEqual(json["macs"] as? Int, 281_640)
        let text = try CLI.run(["inspect", CLI.example("lenet.json")])
        XCTAssertTrue(text.stdout.contains("281,640"))
    }

    func testTrainEvalRoundTripAndSameSeedSameBytes() throws {
        let dir = CLI.temporaryFolder()
        let spec = dir.appendingPathComponent("small.json")
        try """
        {"name": "small", "input": [1, 28, 28],
         "layers": [{"type": "flatten"}, {"name": "fc1", "type": "linear", "out_features": 32}, {"type": "relu"},
                    {"name": "fc2", "type": "linear", "out_features": 10}],
         "data": {"synthetic": {"train": 1500, "test": 300}},
         "train": {"epochs": 2, "batch_size": 32, "optimizer": {"type": "adam", "lr": 0.002}, "schedule": {"type": "cosine"}}}
        """.write(to: spec, atomically: true, encoding: .utf8)
        let a = dir.appendingPathComponent("a.safetensors").path, b = dir.appendingPathComponent("b.safetensors").path
        let r = try CLI.run(["train", spec.path, "--seed", "4", "-o", a, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.isEmpty, "--json keeps stderr quiet when piped: \(r.stderr)")
        let json = try CLI.json(r)
        XCTAssertGreaterThan(json["test_accuracy"] as! Double, 0.5)
        XCTAssertEqual(try CLI.run(["train", spec.path, "--seed", "4", "-o", b]).status, 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: a)), try Data(contentsOf: URL(fileURLWithPath: b)))
        let e = try CLI.run(["eval", spec.path, a, "--json"])
        XCTAssertEqual(e.status, 0, e.stderr)
        let ej = try CLI.json(e)
        XCTAssertEqual(ej["accuracy"] as! Double, json["test_accuracy"] as! Double)
    }

    func testBadInputFailsWithOneLineAndLeavesNoFile() throws {
        let dir = CLI.temporaryFolder()
        let out = dir.appendingPathComponent("out.safetensors")
        func write(_ name: String, _ text: String) throws -> String {
            let url = dir.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        let unknownField = try write("unknown.json", #"{"name": "m", "input": [4], "layers": [{"type": "linear", "out_features": 2, "kernal": 3}]}"#)
        CLI.expectFailure(try CLI.run(["train", unknownField, "-o", out.path]), ["unknown.json", "layers[0].kernal"])
        let malformed = try write("malformed.json", #"{"name": "m", "#)
        CLI.expectFailure(try CLI.run(["train", malformed, "-o", out.path]), ["malformed.json", "not valid JSON"])
        let mismatch = try write("mismatch.json", #"{"name": "m", "input": [1, 28, 28], "layers": [{"type": "flatten"}, {"name": "fc1", "type": "linear", "in_features": 100, "out_features": 10}]}"#)
        CLI.expectFailure(try CLI.run(["train", mismatch, "-o", out.path]), ["layer 'fc1'", "expects 100 input features, got 784"])
        CLI.expectFailure(try CLI.run(["train", CLI.example("lenet.json"), "--data", dir.appendingPathComponent("nowhere").path, "-o", out.path]),
                          ["nowhere", "data folder not found"])
        // A data folder whose images file is cut short.
        let data = dir.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        var images = Data([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28]) + Data(count: 784 * 2)
        images = images.prefix(images.count - 10)
        try images.write(to: data.appendingPathComponent("train-images-idx3-ubyte"))
        try Data([0, 0, 8, 1, 0, 0, 0, 2, 1, 2]).write(to: data.appendingPathComponent("train-labels-idx1-ubyte"))
        CLI.expectFailure(try CLI.run(["train", CLI.example("lenet.json"), "--data", data.path, "-o", out.path]),
                          ["train-images-idx3-ubyte", "truncated"])
        var wrongMagic = Data([0x1F, 0x00, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28]) + Data(count: 784 * 2)
        wrongMagic[1] = 0x07
        try wrongMagic.write(to: data.appendingPathComponent("train-images-idx3-ubyte"))
        CLI.expectFailure(try CLI.run(["train", CLI.example("lenet.json"), "--data", data.path, "-o", out.path]), ["magic"])
        // Float images holding a NaN.
        var floats = Data([0, 0, 0x0D, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28])
        for i in 0..<(2 * 784) { floats += withUnsafeBytes(of: (i == 900 ? Float.nan : 0.5).bitPattern.bigEndian) { Data($0) } }
        try floats.write(to: data.appendingPathComponent("train-images-idx3-ubyte"))
        CLI.expectFailure(try CLI.run(["train", CLI.example("lenet.json"), "--data", data.path, "-o", out.path]),
                          ["train-images-idx3-ubyte", "sample 1 contains nan"])
        CLI.expectFailure(try CLI.run(["train", CLI.example("lenet.json")]), ["missing -o"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "no output may be left behind")
        // A checkpoint for another architecture.
        CLI.expectFailure(try CLI.run(["eval", CLI.example("lenet.json"), dir.appendingPathComponent("none.safetensors").path]),
                          ["none.safetensors"])
    }
}
