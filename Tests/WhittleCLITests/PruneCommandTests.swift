import Foundation
import XCTest

/// `whittle prune` and `whittle report` through the command line, on small synthetic data.
final class PruneCommandTests: XCTestCase {
    static let layers = """
    [{"name": "conv1", "type": "conv2d", "out_channels": 6, "kernel": 5, "stride": 2}, {"name": "relu1", "type": "relu"},
     {"name": "pool1", "type": "maxpool2d", "kernel": 2},
     {"name": "conv2", "type": "conv2d", "out_channels": 8, "kernel": 3}, {"name": "relu2", "type": "relu"},
     {"name": "flatten", "type": "flatten"}, {"name": "fc1", "type": "linear", "out_features": 16}, {"name": "relu3", "type": "relu"},
     {"name": "fc2", "type": "linear", "out_features": 10}]
    """

    /// A spec file with the given prune section, and a model trained from it (once per folder).
    func setUp(_ prune: String) throws -> (dir: URL, spec: String, model: String) {
        let dir = CLI.temporaryFolder()
        let spec = dir.appendingPathComponent("small.json").path
        try """
        {"name": "small", "input": [1, 28, 28], "layers": \(Self.layers),
         "data": {"synthetic": {"train": 800, "test": 200}},
         "train": {"epochs": 2, "batch_size": 32, "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9}},
         "prune": \(prune)}
        """.write(toFile: spec, atomically: true, encoding: .utf8)
        let model = dir.appendingPathComponent("dense.safetensors").path
        let r = try CLI.run(["train", spec, "-o", model])
        XCTAssertEqual(r.status, 0, r.stderr)
        return (dir, spec, model)
    }

    func testHelp() throws {
        for command in ["prune", "report"] {
            let r = try CLI.run([command, "--help"])
            XCTAssertEqual(r.status, 0)
            XCTAssertTrue(r.stdout.contains("usage: whittle \(command)"), r.stdout)
        }
        XCTAssertTrue(try CLI.run(["--help"]).stdout.contains("prune"))
    }

    func testFilterPruningSurgeryThenEvalInspectQuantizeAndReport() throws {
        let (dir, spec, model) = try setUp(#"{"criterion": "l2", "granularity": "filter", "sparsity": {"conv1": 0.5, "conv2": 0.25}, "fine_tune": {"epochs": 1, "batch_size": 32, "optimizer": {"lr": 0.02, "momentum": 0.5}}}"#)
        let pruned = dir.appendingPathComponent("pruned.safetensors").path, report = dir.appendingPathComponent("report.html").path
        let j = try CLI.json(try CLI.run(["prune", spec, model, "-o", pruned, "--control", "--report", report, "--json"]))
        let layers = j["layers"] as! [[String: Any]]
        XCTAssertEqual(layers.map { $0["outputs_after"] as! Int }, [3, 6, 16, 10])
        XCTAssertEqual(layers.map { $0["outputs_before"] as! Int }, [6, 8, 16, 10])
        XCTAssertLessThan(j["macs_after"] as! Int, j["macs_before"] as! Int)
        XCTAssertNotNil(j["accuracy_control"] as? Double)
        XCTAssertEqual(j["epochs"] as? Int, 1)
        // The smaller model loads with the same spec everywhere.
        let e = try CLI.json(try CLI.run(["eval", spec, pruned, "--json"]))
        XCTAssertEqual(e["accuracy"] as! Double, j["accuracy_after"] as! Double)
        let i = try CLI.json(try CLI.run(["inspect", spec, pruned, "--json"]))
        XCTAssertEqual(i["parameters"] as? Int, j["parameters_after"] as? Int)
        let q = try CLI.run(["quantize", spec, pruned, "-o", dir.appendingPathComponent("m.q").path, "--calibration", "50", "--vectors", "20"])
        XCTAssertEqual(q.status, 0, q.stderr)
        let html = try String(contentsOfFile: report, encoding: .utf8)
        XCTAssertTrue(html.contains("<svg") && html.contains("conv1 weights") && html.contains("density") && !html.contains("<script"))
        // whittle report: the pruned model against the dense one, with a sensitivity scan.
        let out = dir.appendingPathComponent("model.html").path
        let r = try CLI.json(try CLI.run(["report", spec, pruned, "--before", model, "--sensitivity", "-o", out, "--json"]))
        XCTAssertEqual((r["sensitivity"] as! [Any]).count, 4)
        XCTAssertTrue(try String(contentsOfFile: out, encoding: .utf8).contains("accuracy vs sparsity"))
    }

    func testElementPruningKeepsMasksThatEvalAndInspectRead() throws {
        let (dir, spec, model) = try setUp(#"{"sparsity": {"conv2": 0.8, "fc1": 0.9}}"#)
        let pruned = dir.appendingPathComponent("pruned.safetensors").path
        let r = try CLI.run(["prune", spec, model, "-o", pruned])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("saved") && r.stdout.contains("2 masks"), r.stdout)
        let header = try Data(contentsOf: URL(fileURLWithPath: pruned))
        XCTAssertNotNil(String(decoding: header.prefix(4096), as: UTF8.self).range(of: "fc1.weight_mask"))
        let i = try CLI.json(try CLI.run(["inspect", spec, pruned, "--json"]))
        let fc1 = (i["layers"] as! [[String: Any]]).first { $0["name"] as? String == "fc1" }!
        XCTAssertEqual(fc1["nonzeros"] as? Int, (2048 - 1843) + 16, "round(0.9 · 2048) = 1843 weights pruned; the biases stay")
        XCTAssertEqual(try CLI.run(["eval", spec, pruned]).status, 0)
    }

    func testBadInputIsOneLine() throws {
        let (dir, spec, model) = try setUp(#"{"sparsity": 0.5}"#)
        let out = dir.appendingPathComponent("out.safetensors").path
        func bad(_ prune: String, _ fragments: [String]) throws {
            let path = dir.appendingPathComponent("bad.json").path
            let text = try String(contentsOfFile: spec, encoding: .utf8).replacingOccurrences(of: #""prune": {"sparsity": 0.5}"#, with: "\"prune\": \(prune)")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            CLI.expectFailure(try CLI.run(["prune", path, model, "-o", out]), ["bad.json"] + fragments)
        }
        try bad(#"{"sparsity": 1.0}"#, ["prune.sparsity", "[0, 1)"])
        try bad(#"{"sparsity": -0.2}"#, ["prune.sparsity", "[0, 1)"])
        try bad(#"{"granularity": "4:4"}"#, ["prune.granularity", "N:M"])
        try bad(#"{"granularity": "1:1"}"#, ["prune.granularity", "M ≥ 2"])
        try bad(#"{"sparsity": {"conv7": 0.5}}"#, ["prune.sparsity.conv7", "no layer 'conv7'"])
        try bad(#"{"granularity": "filter", "sparsity": {"conv1": 0.95}}"#, ["layer 'conv1'", "removes all 6 filters"])
        // A mask whose shape does not match its weight.
        let masked = dir.appendingPathComponent("masked.safetensors").path
        XCTAssertEqual(try CLI.run(["prune", spec, model, "-o", masked]).status, 0)
        var file = try Data(contentsOf: URL(fileURLWithPath: masked))
        let headerLength = file.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        var header = String(decoding: file[8..<(8 + headerLength)], as: UTF8.self)
        let shape = #""fc1.weight_mask":{"data_offsets":"#
        XCTAssertTrue(header.contains(shape), header)
        header = header.replacingOccurrences(of: #""shape":[16,128]},"fc2.bias""#, with: #""shape":[128,16]},"fc2.bias""#)
        file.replaceSubrange(8..<(8 + headerLength), with: Data(header.utf8))
        let broken = dir.appendingPathComponent("broken.safetensors").path
        try file.write(to: URL(fileURLWithPath: broken))
        CLI.expectFailure(try CLI.run(["eval", spec, broken]), ["broken.safetensors", "fc1.weight_mask", "[128, 16]"])
        CLI.expectFailure(try CLI.run(["prune", spec, broken, "-o", out]), ["fc1.weight_mask"])
        CLI.expectFailure(try CLI.run(["prune", CLI.example("lenet.json"), model, "-o", out]), ["no 'prune' section"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "no output is left behind")
    }
}
