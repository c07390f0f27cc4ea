import Foundation
import WhittleNN

/// The foundation benchmark: the LeNet Fashion-MNIST recipe in Whittle, and the same recipe in
/// PyTorch (examples/peers/pytorch_lenet.py) in the same invocation when `import torch` works.
struct TrainingBenchmark {
    var dataDirectory = "/usr/share/datasets/fashion-mnist"
    var epochs = 5
    var seed: UInt64 = 0

    struct Result {
        var name: String
        /// Whittle's trained model (nil for peers).
        var graph: Graph? = nil
        var medianSamplesPerSecond: Double
        var epochRates: [Double]
        var testAccuracy: Double
    }

    func runWhittle(quiet: Bool) throws -> Result {
        var spec = try Spec.load(try Resources.folder("examples").appendingPathComponent("lenet.json").path)
        spec.train.epochs = epochs
        spec.train.seed = seed
        let source = DataSource.idx(directory: dataDirectory)
        let train = try source.load(.train, spec: spec), test = try source.load(.test, spec: spec)
        let graph = try spec.buildGraph()
        let trainer = Trainer(graph: graph, recipe: spec.train)
        trainer.progress = ProgressLine(quiet: quiet)
        trainer.label = "whittle"
        let reports = try trainer.fit(train: train, test: nil)
        let rates = reports.map(\.samplesPerSecond)
        return Result(name: "whittle", graph: graph, medianSamplesPerSecond: median(rates), epochRates: rates,
                      testAccuracy: Evaluator.evaluate(graph, on: test).accuracy)
    }

    /// nil when PyTorch is not importable.
    func runPyTorch() throws -> Result? {
        guard shell(["python3", "-c", "import torch"]).status == 0 else { return nil }
        let script = try Resources.folder("examples").appendingPathComponent("peers/pytorch_lenet.py").path
        let r = shell(["python3", script, dataDirectory, String(epochs), String(seed)])
        guard r.status == 0, let json = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any],
              let rates = json["samples_per_second"] as? [Double], let accuracy = json["test_accuracy"] as? Double else {
            throw CheckFailed(description: "bench: the PyTorch peer failed: \(r.stderr.split(separator: "\n").last ?? "")")
        }
        return Result(name: "pytorch \(json["torch"] as? String ?? "")", medianSamplesPerSecond: median(rates),
                      epochRates: rates, testAccuracy: accuracy)
    }

    private func median(_ xs: [Double]) -> Double { xs.isEmpty ? 0 : xs.sorted()[xs.count / 2] }
}

/// Runs a program, capturing its output (used for peers and toolchains).
func shell(_ argv: [String], cwd: String? = nil) -> (status: Int32, stdout: String, stderr: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = argv
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out; p.standardError = err
    do { try p.run() } catch { return (127, "", "\(error)") }
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}
