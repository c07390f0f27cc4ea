import Foundation
import WhittleNN

/// The training benchmark: each model's Fashion-MNIST recipe in Whittle, and the same spec in
/// PyTorch (examples/peers/pytorch_spec.py) in the same invocation when `import torch` works
/// for the Python that `WHITTLE_PYTHON` names (default `python3`).
struct TrainingBenchmark {
    /// One benchmarked model: a display name and its spec under examples/.
    struct Model {
        var key: String
        var title: String
        var spec: String

        static let leNet = Model(key: "lenet", title: "LeNet", spec: "lenet.json")
        static let resNet8 = Model(key: "resnet8", title: "ResNet-8", spec: "mlperf/resnet8-fashion.json")
        static let dsCNN = Model(key: "ds-cnn", title: "DS-CNN", spec: "mlperf/ds-cnn-fashion.json")
        static let all = [leNet, resNet8, dsCNN]
    }

    var dataDirectory = "/usr/share/datasets/fashion-mnist"
    var epochs = 5
    /// Each framework trains once per seed 0..<seeds; accuracy is their mean (one run's test
    /// accuracy swings by a point or more with the seed on ResNet-8).
    var seeds = 3
    /// Train on only the first N training samples (quick runs); the test set stays whole.
    var trainLimit: Int?
    /// The interpreter that runs the peer: `WHITTLE_PYTHON`, else `python3`.
    var python = ProcessInfo.processInfo.environment["WHITTLE_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"

    struct Result {
        var name: String
        /// Whittle's trained model (nil for peers).
        var graph: Graph? = nil
        var medianSamplesPerSecond: Double
        /// Every epoch of every seed, in run order.
        var epochRates: [Double]
        /// Test accuracy per seed.
        var seedAccuracies: [Double]

        var testAccuracy: Double { seedAccuracies.reduce(0, +) / Double(max(seedAccuracies.count, 1)) }
        /// Sample standard deviation over the seeds (0 for one seed).
        var accuracySpread: Double {
            guard seedAccuracies.count > 1 else { return 0 }
            let m = testAccuracy
            return (seedAccuracies.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(seedAccuracies.count - 1)).squareRoot()
        }

        /// Runs of the seeds as one result: the first seed's graph, all epochs' median rate.
        static func median(_ xs: [Double]) -> Double { xs.isEmpty ? 0 : xs.sorted()[xs.count / 2] }

        static func pooled(_ runs: [Result]) -> Result {
            let rates = runs.flatMap(\.epochRates)
            return Result(name: runs[0].name, graph: runs[0].graph, medianSamplesPerSecond: median(rates), epochRates: rates,
                          seedAccuracies: runs.flatMap(\.seedAccuracies))
        }
    }

    /// Whittle's and (when `withPeer`) PyTorch's runs of every seed, interleaved so that a
    /// change in the machine's load falls on both.
    func run(_ model: Model, withPeer: Bool, quiet: Bool) throws -> (whittle: Result, pytorch: Result?) {
        var ours: [Result] = [], peer: [Result] = []
        for seed in 0..<UInt64(seeds) {
            ours.append(try runWhittle(model, seed: seed, quiet: quiet))
            if withPeer { peer.append(try runPyTorch(model, seed: seed)) }
        }
        return (Result.pooled(ours), peer.isEmpty ? nil : Result.pooled(peer))
    }

    private func specPath(_ model: Model) throws -> String {
        try Resources.folder("examples").appendingPathComponent(model.spec).path
    }

    func runWhittle(_ model: Model, seed: UInt64, quiet: Bool) throws -> Result {
        var spec = try Spec.load(try specPath(model))
        spec.train.epochs = epochs
        spec.train.seed = seed
        let source = DataSource.idx(directory: dataDirectory)
        var train = try source.load(.train, spec: spec)
        let test = try source.load(.test, spec: spec)
        if let trainLimit { train = train.prefix(trainLimit) }
        let graph = try spec.buildGraph()
        let trainer = Trainer(graph: graph, recipe: spec.train)
        let progress = ProgressLine(quiet: quiet)
        trainer.progress = progress
        trainer.label = "whittle \(model.key) seed \(seed)"
        let reports = try trainer.fit(train: train, test: nil)
        let rates = reports.map(\.samplesPerSecond)
        let accuracy = Evaluator.evaluate(graph, on: test, progress: progress).accuracy
        progress.clear()
        return Result(name: "whittle", graph: graph, medianSamplesPerSecond: Result.median(rates), epochRates: rates,
                      seedAccuracies: [accuracy])
    }

    /// Whether the peer's Python imports torch (asked once per benchmark run).
    func pyTorchAvailable() -> Bool { shell([python, "-c", "import torch"]).status == 0 }

    /// The same spec and recipe in PyTorch.
    func runPyTorch(_ model: Model, seed: UInt64) throws -> Result {
        let script = try Resources.folder("examples").appendingPathComponent("peers/pytorch_spec.py").path
        let r = shell([python, script, try specPath(model), dataDirectory, String(epochs), String(seed)] + (trainLimit.map { [String($0)] } ?? []))
        guard r.status == 0, let json = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any],
              let rates = json["samples_per_second"] as? [Double], let accuracy = json["test_accuracy"] as? Double else {
            throw CheckFailed(description: "bench: the PyTorch peer failed on \(model.title): \(r.stderr.split(separator: "\n").last ?? "")")
        }
        return Result(name: "pytorch \(json["torch"] as? String ?? "")", medianSamplesPerSecond: Result.median(rates),
                      epochRates: rates, seedAccuracies: [accuracy])
    }
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
