import Foundation
import WhittleIR

/// Valid `.q` files (the `.q` fuzzer's seed corpus, written fresh from the encoder each time
/// fuzzing starts) and the path a `.q` file takes through `whittle emit`, which the fuzzer
/// drives. The tests replay the seeds and every saved crash through the same function.
public enum QGraphReaderSamples {
    public static func files() -> [(name: String, bytes: Data)] {
        // Small graphs (the random draws cover every op and weight format); LeNet for the validation set.
        var graphs = [("lenet", SampleGraphs.leNet(seed: 1, validationCount: 2))]
        graphs += (1...16).map { ("random\($0)", SampleGraphs.random(seed: UInt64($0))) }
        graphs += (1...8).map { ("residual\($0)", SampleGraphs.randomResidual(seed: UInt64($0))) }
        return graphs.map { ("\($0.0).q", Data(QGraphFile.encode($0.1))) }
    }

    /// Decodes `bytes` as a `.q` file and, for files up to `emitLimit` bytes (the run's cost grows
    /// with the weights, not with the shapes a file claims), runs the reference interpreter on one
    /// input and emits C for `target` in memory, as `whittle emit` would. The file is read as it
    /// is and once more resealed (`QGraphFile.resealed`), so that mutations of the payload are
    /// not all stopped by the checksum.
    public static func read(_ bytes: Data, target: TargetDescriptor?, resources: WhittleResources?) {
        _ = try? QGraphFile.decode([UInt8](bytes), name: "fuzz.q")
        guard let graph = try? QGraphFile.decode(QGraphFile.resealed([UInt8](bytes)), name: "fuzz.q"),
              bytes.count <= emitLimit, let interpreter = try? ReferenceInterpreter(graph: graph) else { return }
        _ = interpreter.run([Int8](repeating: 1, count: graph.inputTensor.byteCount))
        guard let resources, let target else { return }
        _ = try? Emitter.emission(of: graph, options: EmitOptions(target: target, modelName: "fuzz.q", vectorCount: 1, passes: .stored), resources: resources)
    }

    public static let emitLimit = 20_000
}
