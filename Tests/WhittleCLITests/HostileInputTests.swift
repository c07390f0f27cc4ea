import Foundation
import XCTest

/// Issue 11 through the command line: every hostile or careless input is one error line and exit
/// 2, nothing is written, output paths are checked before any work, and no temporary survives a
/// kill. The crafted inputs are the files in Tests/Fuzz/crashes (replayed by the readers' tests).
final class HostileInputTests: XCTestCase {
    let crashes = CLI.root.appendingPathComponent("Tests/Fuzz/crashes")
    var dir: URL!

    override func setUp() { dir = CLI.temporaryFolder() }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    private func contents(_ folder: URL) -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
    }

    func testHostileSpecsAreOneLineAndWriteNothing() throws {
        let out = dir.appendingPathComponent("out.safetensors")
        let specs = try FileManager.default.contentsOfDirectory(atPath: crashes.appendingPathComponent("spec").path).sorted()
        XCTAssertGreaterThanOrEqual(specs.count, 9)
        for name in specs {
            let path = crashes.appendingPathComponent("spec/\(name)").path
            let r = try CLI.run(["train", path, "-o", out.path])
            CLI.expectFailure(r, [name])
            XCTAssertFalse(r.stderr.contains("training"), "\(name) must fail before training: \(r.stderr)")
        }
        XCTAssertEqual(contents(dir), [])
    }

    /// An MNIST-layout folder with the given train/test files (28×28 images, ten classes).
    private func dataFolder(_ name: String, testLabels: Data? = nil, trainImages: Data? = nil) throws -> URL {
        let folder = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let images = Data([0, 0, 8, 3, 0, 0, 0, 4, 0, 0, 0, 28, 0, 0, 0, 28]) + Data(count: 4 * 784)
        let labels = Data([0, 0, 8, 1, 0, 0, 0, 4, 0, 1, 2, 3])
        try (trainImages ?? images).write(to: folder.appendingPathComponent("train-images-idx3-ubyte"))
        try labels.write(to: folder.appendingPathComponent("train-labels-idx1-ubyte"))
        try images.write(to: folder.appendingPathComponent("t10k-images-idx3-ubyte"))
        try (testLabels ?? labels).write(to: folder.appendingPathComponent("t10k-labels-idx1-ubyte"))
        return folder
    }

    func testHostileDataIsOneLineAndWritesNothing() throws {
        let out = dir.appendingPathComponent("out.safetensors")
        let saved = { (name: String) in try Data(contentsOf: self.crashes.appendingPathComponent("idx/\(name)")) }
        var floatLabels = Data([0, 0, 0x0D, 1, 0, 0, 0, 4])
        for v: Float in [0, .infinity, 1, 2] { floatLabels += withUnsafeBytes(of: v.bitPattern.bigEndian) { Data($0) } }
        let cases: [(URL, [String])] = [
            (try dataFolder("label", testLabels: Data([0, 0, 8, 1, 0, 0, 0, 4, 0, 1, 10, 3])),
             ["label/t10k-labels-idx1-ubyte: sample 2 has label 10, but the model has 10 outputs"]),
            (try dataFolder("inf", testLabels: floatLabels), ["t10k-labels-idx1-ubyte", "label 1 is inf"]),
            (try dataFolder("rank", trainImages: try saved("rank-overflow.idx")), ["train-images-idx3-ubyte", "exceeds the limit"]),
            (try dataFolder("bomb", trainImages: try saved("gzip-bomb.idx.gz")), ["train-images-idx3-ubyte", "inflates to more than"]),
            (try dataFolder("trailing", trainImages: try saved("gzip-trailing.idx.gz")), ["unexpected bytes after the gzip stream"]),
        ]
        for (folder, words) in cases {
            CLI.expectFailure(try CLI.run(["train", CLI.example("mlp.json"), "--data", folder.path, "--epochs", "1", "-o", out.path]), words)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }

    func testHostileCheckpointsAreOneLine() throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: crashes.appendingPathComponent("safetensors").path) {
            CLI.expectFailure(try CLI.run(["eval", CLI.example("mlp.json"), crashes.appendingPathComponent("safetensors/\(name)").path]), [name])
        }
    }

    /// Output paths are checked before any work, with one line naming the option and the path.
    func testOutputPathsAreCheckedFirst() throws {
        let missing = dir.appendingPathComponent("missing/model.safetensors").path
        let train = try CLI.run(["train", CLI.example("mlp.json"), "-o", missing])
        CLI.expectFailure(train, ["-o \(missing)", "does not exist; create it first"])
        XCTAssertFalse(train.stderr.contains("training"), train.stderr)
        CLI.expectFailure(try CLI.run(["run", CLI.example("mlp.json"), "-o", "/proc/whittle-out"]), ["-o /proc/whittle-out", "is not writable"])
        let report = dir.appendingPathComponent("nowhere/report.html").path
        CLI.expectFailure(try CLI.run(["prune", CLI.example("prune-tutorial.json"), "model.safetensors", "-o", dir.appendingPathComponent("p.safetensors").path,
                                       "--report", report]), ["--report \(report)", "does not exist"])
        CLI.expectFailure(try CLI.run(["emit", "x.q", "-o", CLI.example("mlp.json")]), ["is a file; give a folder name"])
        XCTAssertEqual(contents(dir), [])
    }

    /// A checkpoint is written through a temporary that is renamed into place: no
    /// Foundation `.dat.nosync` file or `.whittle-tmp-` entry is left beside it.
    func testWritesLeaveOnlyTheirOutput() throws {
        let spec = dir.appendingPathComponent("tiny.json")
        try Data(#"{"name": "t", "input": [1, 28, 28], "layers": [{"type": "flatten"}, {"type": "linear", "out_features": 10}], "data": {"synthetic": {"train": 64, "test": 32}}, "train": {"epochs": 1}}"#.utf8).write(to: spec)
        XCTAssertEqual(try CLI.run(["train", spec.path, "-o", dir.appendingPathComponent("t.safetensors").path]).status, 0)
        XCTAssertEqual(contents(dir), ["tiny.json", "t.safetensors"])
    }

    /// `emit` killed at random moments, then a normal run: the destination is absent, the old
    /// folder or the new one, complete, and no temporary remains. SIGINT runs the handler that
    /// removes temporaries at once (exit 130, not death by the signal); SIGKILL runs no code, and
    /// the next run sweeps what it left.
    func testKilledEmitLeavesNoDebris() throws {
        let model = dir.appendingPathComponent("m.q")
        let out = dir.appendingPathComponent("c")
        let emit = ["emit", model.path, "-o", out.path, "--vectors", "40"]
        XCTAssertEqual(try CLI.run(["train", CLI.example("mlp.json"), "--epochs", "0", "-o", dir.appendingPathComponent("m.safetensors").path]).status, 0)
        XCTAssertEqual(try CLI.run(["quantize", CLI.example("mlp.json"), dir.appendingPathComponent("m.safetensors").path, "-o", model.path]).status, 0)
        var rng = SystemRandomNumberGenerator()
        for round in 0..<6 {
            let signal = round % 2 == 0 ? SIGKILL : SIGINT
            let p = Process()
            p.executableURL = try BuiltBinary.whittle()
            p.arguments = emit
            p.standardError = FileHandle.nullDevice
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            // A SIGINT must land after main.swift installs its handler (a loaded machine can take
            // tens of milliseconds to get there); SIGKILL may land anywhere.
            usleep(UInt32.random(in: (signal == SIGINT ? 200_000 : 20_000)...600_000, using: &rng))
            kill(p.processIdentifier, signal)
            p.waitUntilExit()
            if signal == SIGINT {
                XCTAssertEqual(p.terminationReason, .exit, "SIGINT is handled")
                XCTAssertTrue([0, 130].contains(p.terminationStatus), "\(p.terminationStatus)")
                XCTAssertFalse(contents(dir).contains { $0.hasPrefix(".whittle-tmp-") }, "\(contents(dir))")
            }
            if FileManager.default.fileExists(atPath: out.path) {
                XCTAssertTrue(contents(out).contains("whittle.json"), "a folder at the destination is complete: \(contents(out))")
            }
        }
        // A new process sweeps what the killed ones left (this one swept `dir` already).
        XCTAssertEqual(try CLI.spawn(emit).status, 0)
        XCTAssertEqual(contents(dir), ["m.safetensors", "m.q", "c"], "no temporary survives")
        XCTAssertEqual(try CLI.run(["verify", out.path, "--no-sanitize"]).status, 0)
    }
}
