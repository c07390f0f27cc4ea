import Foundation
import WhittleIR
import XCTest

/// `emit`'s compiler flags: the pass list, the graph after a pass, the objective, and one-line
/// errors for a pass or objective that does not exist.
final class EmitPassesCommandTests: XCTestCase {
    func testPassListPrintAfterAndObjective() throws {
        let dir = CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let list = try CLI.run(["emit", "--list-passes"])
        XCTAssertEqual(list.status, 0, list.stderr)
        let names = list.stdout.split(separator: "\n").map { String($0.split(separator: " ")[0]) }
        XCTAssertEqual(names, ["verify", "check-accumulators", "choose-sparse-format", "fold-max-pool", "schedule", "plan-memory", "select-kernels"])

        let model = dir.appendingPathComponent("pruned.q")
        try QGraphFile.write(try SampleGraphs.magnitudePruned(SampleGraphs.leNet(seed: 3), sparsity: SampleGraphs.tutorialSparsity), to: model)
        let out = dir.appendingPathComponent("c").path
        let emit = try CLI.run(["emit", model.path, "-o", out, "--vectors", "2", "--print-after", "fold-max-pool", "--verify-each", "--optimize", "size"])
        XCTAssertEqual(emit.status, 0, emit.stderr)
        XCTAssertTrue(emit.stdout.contains("// after fold-max-pool"), emit.stdout)
        XCTAssertTrue(emit.stdout.contains("max pool 'pool1' 2x2 folded"), emit.stdout)
        XCTAssertFalse(emit.stdout.contains("= max_pool("), emit.stdout)
        XCTAssertTrue(emit.stdout.contains("optimized for size"), emit.stdout)
        let manifest = try String(contentsOfFile: out + "/whittle.json", encoding: .utf8)
        XCTAssertTrue(manifest.contains("\"optimize\" : \"size\""), manifest)

        for (flag, value, words) in [("--print-after", "fold", ["names no pass 'fold'", "fold-max-pool"]),
                                     ("--optimize", "fast", ["--optimize takes speed or size"])] {
            let bad = try CLI.run(["emit", model.path, "-o", dir.appendingPathComponent("bad").path, flag, value])
            XCTAssertEqual(bad.status, 2, bad.stderr)
            for word in words { XCTAssertTrue(bad.stderr.contains(word), bad.stderr) }
            XCTAssertEqual(bad.stderr.split(separator: "\n").count, 1, bad.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad").path))
        }
    }

    /// `inspect MODEL.q` shows what emit would choose: the tutorial-pruned LeNet's fc1 is sparse
    /// on the host for speed; the .q itself stores what it was given.
    func testInspectShowsTheTargetsChoice() throws {
        let dir = CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("pruned.q")
        try QGraphFile.write(try SampleGraphs.magnitudePruned(SampleGraphs.leNet(seed: 3), sparsity: SampleGraphs.tutorialSparsity), to: model)
        for objective in ["speed", "size"] {
            let inspect = try CLI.run(["inspect", model.path, "--target", "cortex-m4", "--optimize", objective, "--json"])
            XCTAssertEqual(inspect.status, 0, inspect.stderr)
            let layers = try CLI.json(inspect)["layers"] as! [[String: Any]]
            XCTAssertNotEqual(layers.first { $0["name"] as? String == "fc1" }?["format"] as? String, "dense", objective)
        }
    }
}
