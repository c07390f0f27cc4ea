import WhittleNN
import WhittleTensor

/// Ranges of the model input and of every node's output over a calibration set, observed in
/// evaluation mode. Lowering turns them into activation quantization parameters.
public struct CalibrationResult: Sendable {
    public var input: ObservedRange
    /// By node name.
    public var outputs: [String: ObservedRange]
    public var samples: Int
}

public enum Calibration {
    /// Runs `data` through `graph` in batches and observes every tensor with a fresh observer
    /// from `makeObserver` — except the model output, which always gets min/max: its largest
    /// values decide the class, so clipping them (as percentile or entropy would) changes
    /// predictions. Fails on an empty set (nothing to calibrate on).
    public static func run(_ graph: Graph, on data: Dataset, batchSize: Int = 250,
                           makeObserver: () -> RangeObserver = { MinMaxObserver() }) throws -> CalibrationResult {
        guard data.count > 0 else { throw CalibrationError("calibration set is empty (give --calibration N with N ≥ 1)") }
        var inputObserver = makeObserver()
        var observers = graph.nodes.map { _ in makeObserver() }
        if !observers.isEmpty { observers[observers.count - 1] = MinMaxObserver() }
        for start in stride(from: 0, to: data.count, by: batchSize) {
            let (x, _) = data.batch(start..<min(start + batchSize, data.count))
            x.storage.withUnsafeBufferPointer { inputObserver.observe($0) }
            graph.forward(x, mode: .eval)
            for (i, out) in graph.activations.enumerated() { out.storage.withUnsafeBufferPointer { observers[i].observe($0) } }
        }
        var outputs: [String: ObservedRange] = [:]
        for (i, node) in graph.nodes.enumerated() { outputs[node.name] = observers[i].range }
        return CalibrationResult(input: inputObserver.range!, outputs: outputs, samples: data.count)
    }
}

public struct CalibrationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
