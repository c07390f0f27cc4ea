import Foundation
import XCTest

/// prune → quantize → inspect MODEL.q → emit → verify through the command line: the pruned layers are
/// stored sparse, reported per layer, and bit-exact in C.
final class SparseCommandTests: XCTestCase {
    func testPrunedModelIsReportedAndBitExact() throws {
        let dir = CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("small.json").path
        try """
        {"name": "small", "input": [1, 28, 28],
         "layers": [{"name": "conv1", "type": "conv2d", "out_channels": 6, "kernel": 5, "stride": 2}, {"type": "relu"},
                    {"name": "pool1", "type": "maxpool2d", "kernel": 2}, {"type": "flatten"},
                    {"name": "fc1", "type": "linear", "out_features": 32}, {"type": "relu"},
                    {"name": "fc2", "type": "linear", "out_features": 10}],
         "data": {"synthetic": {"train": 600, "test": 100}},
         "train": {"epochs": 1, "batch_size": 32, "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9}},
         "quantize": {"calibration": 50},
         "prune": {"sparsity": {"conv1": 0.6, "fc1": 0.85}}}
        """.write(toFile: spec, atomically: true, encoding: .utf8)
        let dense = dir.appendingPathComponent("dense.safetensors").path, pruned = dir.appendingPathComponent("pruned.safetensors").path
        let q = dir.appendingPathComponent("pruned.q").path, c = dir.appendingPathComponent("c").path
        for arguments in [["train", spec, "-o", dense], ["prune", spec, dense, "-o", pruned], ["quantize", spec, pruned, "-o", q]] {
            let r = try CLI.run(arguments)
            XCTAssertEqual(r.status, 0, "\(arguments[0]): \(r.stderr)")
        }
        let inspect = try CLI.run(["inspect", q, "--json"])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        let json = try CLI.json(inspect)
        let layers = json["layers"] as! [[String: Any]]
        XCTAssertEqual(layers.map { $0["name"] as! String }, ["conv1", "fc1", "fc2"])
        XCTAssertEqual(layers[1]["format"] as? String, "index", "85 % sparse")
        XCTAssertEqual(layers[2]["format"] as? String, "dense")
        XCTAssertLessThan(layers[1]["executed_macs"] as! Int, (layers[1]["dense_macs"] as! Int) / 5)
        let total = json["total"] as! [String: Any]
        XCTAssertLessThan(total["flash_ratio"] as! Double, 0.5)
        let text = try CLI.run(["inspect", q])
        XCTAssertTrue(text.stdout.contains("executed MACs") && text.stdout.contains("vs dense: flash"), text.stdout)
        let emit = try CLI.run(["emit", q, "-o", c])
        XCTAssertEqual(emit.status, 0, emit.stderr)
        XCTAssertTrue(emit.stdout.contains("fc_s8_sparse") && emit.stdout.contains("density"), emit.stdout)
        let verify = try CLI.run(["verify", c, "--json", "--no-sanitize"])
        XCTAssertEqual(verify.status, 0, verify.stderr)
        XCTAssertTrue(verify.stdout.contains("\"mismatched_bytes\" : 0"), verify.stdout)
        // A spec still goes the float way.
        XCTAssertTrue(try CLI.run(["inspect", spec]).stdout.contains("sparsity"))
    }
}
