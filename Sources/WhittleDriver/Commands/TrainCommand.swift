import Foundation
import WhittleSupport
import WhittleNN

enum TrainCommand: Command {
    static let name = "train"
    static let summary = "train the spec's float model and save a safetensors checkpoint"
    static let help = Help(
        usage: ["whittle train SPEC -o MODEL.safetensors [--data DIR] [--epochs N] [--seed S]",
                "                   [--init MODEL.safetensors] [--lr LR] [--json]"],
        description: """
        Trains the model described by SPEC with its recipe (train section) and writes the
        weights with PyTorch state_dict names. Data comes from --data DIR (a folder of NumPy
        x_train.npy/y_train.npy/x_test.npy/y_test.npy, or an MNIST-layout IDX folder), else the
        spec's data.dir, else built-in synthetic data shaped like the spec's input. Shows progress
        per batch on a terminal and one line per epoch.
        """,
        options: [
            ("-o, --output FILE", "checkpoint to write (written atomically)"),
            ("--data DIR", ".npy or IDX folder, e.g. /usr/share/datasets/fashion-mnist"),
            ("--epochs N", "override train.epochs"),
            ("--seed S", "override train.seed (same seed → identical checkpoint)"),
            ("--init MODEL", "start from this checkpoint instead of a fresh initialisation (fine-tuning)"),
            ("--lr LR", "override the optimizer's learning rate"),
            ("--json", "print one JSON object with the per-epoch figures"),
        ],
        exitCodes: Help.workOrBadInput)

    static func run(_ args: inout Arguments) throws -> Int32 {
        let bench = try Workbench(&args)
        let output = try args.output("-o", "--output", as: .file)
        let initial = try args.option("--init")
        let lr = try args.double("--lr")
        let json = args.flag("--json")
        try args.finish()
        guard let output else { throw UsageError(name, "missing -o MODEL.safetensors") }
        var recipe = bench.spec.train
        if let lr {
            guard lr > 0 else { throw UsageError(name, "--lr must be positive") }
            recipe.optimizer.lr = lr
        }

        let train = try bench.data(.train), test = try bench.data(.test)
        let graph = try initial.map { try bench.graph(loading: $0) } ?? bench.graph()
        if !json { Console.note("training \(bench.spec.name) (\(grouped(graph.parameterCount)) parameters) on \(bench.source.summary)") }
        let trainer = Trainer(graph: graph, recipe: recipe)
        trainer.progress = ProgressLine(quiet: json)
        let reports = try trainer.fit(train: train, test: test)
        try Checkpoint.save(graph, to: output)
        let rates = reports.map(\.samplesPerSecond).sorted()
        let median = rates.isEmpty ? 0 : rates[rates.count / 2]
        var result = Output(checkpoint: output, medianSamplesPerSecond: median, epochs: reports.map { EpochOutput($0) })
        if recipe.target == .input {
            result.reconstruction = ReconstructionOutput(Reconstruction.evaluate(graph, on: test, normalClasses: bench.spec.data.normalClasses),
                                                         spec: bench.spec, test: test)
        } else {
            let final = Evaluator.evaluate(graph, on: test, progress: trainer.progress)
            (result.testAccuracy, result.testLoss) = (final.accuracy, final.loss)
        }
        trainer.progress?.clear()
        if json {
            try Console.json(result)
        } else {
            let figure = result.reconstruction?.text ?? "test accuracy \(percent(result.testAccuracy ?? 0)) (\(test.count.grouped) samples)"
            print("\(figure), median \(Int(median).grouped) samples/s; saved \(output)")
        }
        return 0
    }
}

extension TrainCommand {
    /// `train --json`.
    struct Output: Encodable {
        var checkpoint: String
        /// A classifier's test accuracy and mean cross-entropy (absent for an autoencoder).
        var testAccuracy: Double?
        var testLoss: Double?
        var medianSamplesPerSecond: Double
        var epochs: [EpochOutput]
        /// An autoencoder's test figures.
        var reconstruction: ReconstructionOutput?

        init(checkpoint: String, medianSamplesPerSecond: Double, epochs: [EpochOutput]) {
            (self.checkpoint, self.medianSamplesPerSecond, self.epochs) = (checkpoint, medianSamplesPerSecond, epochs)
        }
    }
}
