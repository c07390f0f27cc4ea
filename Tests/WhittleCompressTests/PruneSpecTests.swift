import XCTest
import WhittleCompress
import WhittleNN
import Foundation

/// The `prune` section: strict decoding, and one-line errors naming the field.
final class PruneSpecTests: XCTestCase {
    func specJSON(_ prune: String) -> String {
        """
        {"name": "m", "input": [1, 28, 28], "layers": [
          {"name": "conv1", "type": "conv2d", "out_channels": 6, "kernel": 5}, {"name": "relu1", "type": "relu"},
          {"type": "flatten"}, {"name": "fc1", "type": "linear", "out_features": 10}],
         "prune": \(prune)}
        """
    }

    func expectError(_ prune: String, _ fragments: [String], line: UInt = #line) {
        XCTAssertThrowsError(try PruningFixtures.spec(specJSON(prune), file: "bad.json"), line: line) { error in
            let text = String(describing: error)
            XCTAssertFalse(text.contains("\n"), "one line: \(text)", line: line)
            for f in ["bad.json"] + fragments { XCTAssertTrue(text.contains(f), "'\(text)' should contain '\(f)'", line: line) }
        }
    }

    func testDecodesEveryForm() throws {
        let a = try PruningFixtures.spec(specJSON(#"{"sparsity": {"conv1": 0.85, "fc1": 0.75}, "fine_tune": {"epochs": 2}}"#)).prune!
        XCTAssertEqual(a.sparsity, .perLayer(["conv1": 0.85, "fc1": 0.75]))
        XCTAssertEqual(a.granularity, .element)
        XCTAssertEqual(a.fineTune?.epochs, 2)
        let b = try PruningFixtures.spec(specJSON(#"{"granularity": "2:4", "criterion": "obd", "score_batches": 5}"#)).prune!
        XCTAssertEqual(b.granularity, .nm(n: 2, m: 4))
        XCTAssertEqual(b.criterion, .obd)
        let c = try PruningFixtures.spec(specJSON(#"{"scope": "global", "sparsity": 0.9, "schedule": {"type": "cubic", "steps": 8, "epochs": 2}, "fine_tune": {"epochs": 3}}"#)).prune!
        XCTAssertEqual(c.schedule, .cubic(initial: 0, steps: 8, epochs: 2))
        let d = try PruningFixtures.spec(specJSON(#"{"sensitivity": {"target": 0.7, "samples": 100}, "granularity": "kernel"}"#)).prune!
        XCTAssertEqual(d.sensitivity?.target, 0.7)
        XCTAssertNil(try PruningFixtures.spec(specJSON("null")).prune)
    }

    func testEveryShippedExampleLoadsAndNamesLayersToPrune() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertGreaterThanOrEqual(files.filter { $0.hasPrefix("prune-") }.count, 8)
        for file in files {
            let spec = try Spec.load(folder.appendingPathComponent(file).path)
            let graph = try spec.buildGraph()
            guard let prune = spec.prune else { continue }
            let names = PruneRun(prune, file: file).targetLayers(graph)
            XCTAssertFalse(names.isEmpty, file)
            if prune.granularity.isStructured { XCTAssertNoThrow(try StructuredSurgery.check(graph, layers: names, granularity: prune.granularity), file) }
        }
    }

    func testBadValuesNameTheField() {
        expectError(#"{"sparsity": 1.0}"#, ["prune.sparsity", "[0, 1)", "got 1.0"])
        expectError(#"{"sparsity": -0.1}"#, ["prune.sparsity", "[0, 1)"])
        expectError(#"{"sparsity": {"conv1": 1.2}}"#, ["prune.sparsity.conv1", "[0, 1)"])
        expectError(#"{"granularity": "4:4"}"#, ["prune.granularity", "N:M", "4:4"])
        expectError(#"{"granularity": "2:1"}"#, ["prune.granularity", "M ≥ 2"])
        expectError(#"{"granularity": "0:4"}"#, ["prune.granularity"])
        expectError(#"{"granularity": "rows", "sparsity": 0.5}"#, ["prune.granularity", "unknown granularity 'rows'"])
        expectError(#"{"sparsity": {"conv9": 0.5}}"#, ["prune.sparsity.conv9", "no layer 'conv9'", "conv1, fc1"])
        expectError(#"{"sparsity": 0.5, "layers": ["relu1"]}"#, ["prune.layers[0]", "'relu1' is a relu layer"])
        expectError(#"{"sparsity": 0.5, "sparsty": 1}"#, ["prune.sparsty", "unknown field"])
        expectError(#"{"criterion": "l3", "sparsity": 0.5}"#, ["prune.criterion"])
        expectError(#"{}"#, ["prune.sparsity", "required"])
        expectError(#"{"granularity": "2:4", "sparsity": 0.5}"#, ["prune.sparsity", "N:M"])
        expectError(#"{"scope": "global", "sparsity": {"conv1": 0.5}}"#, ["prune.scope"])
        expectError(#"{"criterion": "bn_scaling", "sparsity": 0.5}"#, ["prune.criterion", "filter"])
        expectError(#"{"sparsity": 0.5, "schedule": {"type": "cubic", "epochs": 3}, "fine_tune": {"epochs": 2}}"#, ["prune.schedule.epochs", "at least 3"])
        expectError(#"{"sparsity": 0.5, "schedule": {"type": "linear"}}"#, ["prune.schedule.type", "unknown schedule"])
        expectError(#"{"sensitivity": {"target": 1.5}}"#, ["prune.sensitivity.target", "[0, 1)"])
        expectError(#"{"criterion": "bn_scaling", "granularity": "filter", "sparsity": 0.5, "slimming": {"penalty": -1}}"#, ["prune.slimming.penalty"])
        expectError(#"{"sparsity": 0.5, "fine_tune": {"optimizer": {"lr": 0}}}"#, ["prune.fine_tune.optimizer.lr"])
        expectError(#"{"criterion": "bn_scaling", "granularity": "filter", "sparsity": 0.5, "slimming": {"penalty": 0.01, "polarization": 0}}"#,
                    ["prune.slimming.polarization"])
    }
}
