import Foundation
import WhittleDriver
import XCTest

/// Issue 12: every `--json` output has one key style, snake_case, from `Codable` structs through
/// one encoder, and names that are data (layers, files, targets) come out as they went in.
final class JSONOutputTests: XCTestCase {
    private struct Entry: Encodable {
        var name: String
        var flashBytes: Int
    }

    private struct Figures: Encodable {
        var testAccuracy: Double
        var top1Agreement: Double?
        var layers: [Entry]
    }

    private struct Keyed: Encodable {
        var layers: [Entry]
        var removedChannels: [String: Int]?
    }

    func testEncoderConvertsPropertyNamesAndRefusesDictionaries() throws {
        let figures = Figures(testAccuracy: 0.5, top1Agreement: nil,
                              layers: [Entry(name: "convBlock1", flashBytes: 3), Entry(name: "Makefile", flashBytes: 4)])
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONOutput.encode(figures)) as? [String: Any])
        XCTAssertEqual(Set(json.keys), ["test_accuracy", "layers"], "nil optionals are left out")
        let layers = try XCTUnwrap(json["layers"] as? [[String: Any]])
        XCTAssertEqual(layers.map { $0["name"] as? String }, ["convBlock1", "Makefile"], "values are never converted")
        XCTAssertEqual(layers.map { Set($0.keys) }, [["name", "flash_bytes"], ["name", "flash_bytes"]])
        XCTAssertEqual(String(decoding: try JSONOutput.encode(Entry(name: "a", flashBytes: 1)), as: UTF8.self),
                       "{\n  \"flash_bytes\" : 1,\n  \"name\" : \"a\"\n}", "sorted, pretty-printed")

        // A dictionary would have its keys (user names) converted on some Foundations: refused,
        // wherever it sits, with the property path.
        XCTAssertNoThrow(try JSONOutput.encode(Keyed(layers: [], removedChannels: nil)))
        XCTAssertThrowsError(try JSONOutput.encode(Keyed(layers: [], removedChannels: ["convBlock1": 2]))) { error in
            XCTAssertTrue(String(describing: error).contains("Keyed.removedChannels"), "\(error)")
        }
        XCTAssertThrowsError(try JSONOutput.encode([["Makefile": "sha"]])) { error in
            XCTAssertTrue(String(describing: error).contains("is a dictionary"), "\(error)")
        }
    }

    func testKeyCheckRejectsOtherStyles() {
        for key in ["flash_bytes", "top1_agreement", "bytes_fp32", "c_int8_accuracy", "macs"] {
            XCTAssertTrue(JSONKeys.isSnakeCase(key), key)
        }
        for key in ["flashBytes", "Flash_bytes", "flash__bytes", "_flash", "flash_", "flash-bytes", "1x", ""] {
            XCTAssertFalse(JSONKeys.isSnakeCase(key), key)
        }
        let keys = JSONKeys.paths(in: ["a": [["bC": 1]], "d": ["e": "notAKey"]] as [String: Any])
        XCTAssertEqual(keys.map(\.path), ["a", "a[0].bC", "d", "d.e"])
    }

    /// Every command that takes --json, on a tiny model whose layers have camelCase names: each
    /// output's keys are snake_case (`CLI.json` checks them at any depth) and the names come
    /// back unchanged, as values.
    func testEveryCommandsJSONIsSnakeCaseAndKeepsNames() throws {
        let dir = CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        func json(_ arguments: [String]) throws -> [String: Any] {
            let r = try CLI.run(arguments + ["--json"])
            XCTAssertEqual(r.stderr, "", "\(arguments[0]) --json keeps stderr quiet")
            return try CLI.json(r)
        }
        let layers = #"""
            [{"name": "convIn", "type": "conv2d", "out_channels": 4, "kernel": 5, "stride": 2}, {"name": "bnIn", "type": "batchnorm2d"},
             {"name": "reluIn", "type": "relu"}, {"name": "poolIn", "type": "maxpool2d", "kernel": 2}, {"type": "flatten"},
             {"name": "fcOut", "type": "linear", "out_features": 10}]
            """#
        let common = #"""
            "input": [1, 28, 28], "layers": \#(layers), "data": {"synthetic": {"train": 300, "test": 100}},
            "train": {"epochs": 1, "batch_size": 32, "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9}},
            "quantize": {"calibration": 50}
            """#
        try #"""
            {"name": "keys", \#(common),
             "prune": {"criterion": "bn_scaling", "granularity": "filter", "sparsity": 0.5,
                       "slimming": {"penalty": 0.1, "train": {"epochs": 1, "batch_size": 32}}, "fine_tune": {"epochs": 1, "batch_size": 32}}}
            """#.write(toFile: path("keys.json"), atomically: true, encoding: .utf8)
        try #"{"name": "student", \#(common), "distill": {"teacher": {"spec": "keys.json", "model": "dense.safetensors"}, "response": {}}}"#
            .write(toFile: path("student.json"), atomically: true, encoding: .utf8)
        let spec = path("keys.json")

        XCTAssertEqual(try json(["train", spec, "-o", path("dense.safetensors")])["epochs"].map { ($0 as! [Any]).count }, 1)
        XCTAssertNotNil(try json(["eval", spec, path("dense.safetensors")])["accuracy"])
        let inspect = try json(["inspect", spec, path("dense.safetensors")])
        XCTAssertEqual((inspect["layers"] as! [[String: Any]]).compactMap { $0["name"] as? String }.prefix(2), ["convIn", "bnIn"])
        let prune = try json(["prune", spec, path("dense.safetensors"), "-o", path("pruned.safetensors")])
        let slimming = try XCTUnwrap(prune["slimming"] as? [String: Any])
        XCTAssertEqual((slimming["removed_channels"] as! [[String: Any]]).map { $0["layer"] as! String }, ["bnIn"])
        XCTAssertEqual((slimming["gammas_after"] as! [[String: Any]]).map { $0["layer"] as! String }, ["bnIn"])
        let report = try json(["report", spec, path("pruned.safetensors"), "--before", path("dense.safetensors"), "--sensitivity",
                               "-o", path("r.html")])
        XCTAssertEqual((report["sensitivity"] as! [[String: Any]]).map { $0["layer"] as! String }, ["convIn", "fcOut"])
        XCTAssertNotNil(try json(["quantize", spec, path("dense.safetensors"), "-o", path("m.q")])["tensors"])
        XCTAssertNotNil(try json(["inspect", path("m.q")])["total"])
        let emit = try json(["emit", path("m.q"), "-o", path("c")])
        let files = (emit["files"] as! [[String: Any]]).map { $0["path"] as! String }
        XCTAssertTrue(files.contains("Makefile") && files.contains("model_weights.c"), "\(files)")
        XCTAssertNotNil((emit["memory"] as? [String: Any])?["arena_bytes"])
        XCTAssertEqual(try json(["verify", path("c"), "--no-sanitize"])["passed"] as? Bool, true)
        let sweep = try json(["verify", path("c"), "--target", "all", "--vectors", "2"])
        XCTAssertEqual((sweep["targets"] as! [[String: Any]]).map { $0["target"] as! String },
                       ["cortex-m0", "cortex-m3", "cortex-m4", "cortex-m7", "host", "rv32imac"])
        XCTAssertNotNil(try json(["verify", "--toolchains"])["available"])
        XCTAssertEqual(try json(["run", spec, "-o", path("run")])["bit_exact"] as? Bool, true)
        XCTAssertEqual(try json(["distill", path("student.json"), "-o", path("student.safetensors")])["kinds"] as? [String], ["response"])
    }

    /// `bench --json` on a tiny IDX set: its own test, the longest of these, so that a parallel run spreads the two.
    func testBenchJSONIsSnakeCase() throws {
        let dir = CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["bench", "--data", try tinyIDXFolder(in: dir).path, "--epochs", "1", "--seeds", "2", "--json"])
        XCTAssertEqual(r.stderr, "", "bench --json keeps stderr quiet")
        let bench = try CLI.json(r)
        let training = try XCTUnwrap(bench["training"] as? [[String: Any]])
        XCTAssertEqual(training.map { $0["model"] as! String }, ["lenet", "resnet8", "ds-cnn"])
        for row in training {
            let whittle = try XCTUnwrap(row["whittle"] as? [String: Any])
            let seeds = try XCTUnwrap(whittle["seed_test_accuracies"] as? [Double])
            XCTAssertEqual(seeds.count, 2)
            XCTAssertEqual(try XCTUnwrap(whittle["test_accuracy"] as? Double), (seeds[0] + seeds[1]) / 2, accuracy: 1e-12)
            XCTAssertEqual((whittle["epoch_samples_per_second"] as? [Double])?.count, 2)
        }
        XCTAssertNotNil(bench["host_inference"] as? [String: Any])
        XCTAssertNotNil(bench["targets"] as? [Any])
    }

    /// An MNIST-layout IDX folder of 64 training and 16 test images of a fixed pattern.
    private func tinyIDXFolder(in dir: URL) throws -> URL {
        let folder = dir.appendingPathComponent("idx")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (prefix, count) in [("train", 64), ("t10k", 16)] {
            let n: [UInt8] = [0, 0, 0, UInt8(count)]
            let pixels = (0..<(count * 784)).map { UInt8(truncatingIfNeeded: $0 &* 97 ^ $0 >> 5) }
            let images = Data([0, 0, 8, 3] + n + [0, 0, 0, 28, 0, 0, 0, 28] + pixels)
            let labels = Data([0, 0, 8, 1] + n + (0..<count).map { UInt8($0 % 10) })
            try images.write(to: folder.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
            try labels.write(to: folder.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
        }
        return folder
    }
}
