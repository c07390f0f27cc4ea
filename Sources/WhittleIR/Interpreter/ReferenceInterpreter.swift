import Dispatch

/// The oracle: runs a verified `QGraph` on int8 inputs with integer arithmetic only, following
/// the TFLite int8 reference semantics (DESIGN.md, contract 1). Generated C must match it byte
/// for byte. It is written for clarity, not speed: one formula per op, bounds checked per tap.
///
/// Compressed weights (index-sparse, bitmap, N:M) are decoded once to their dense values: the oracle
/// has one formula per op whatever the storage, so it checks the formats' decoding as well as
/// the kernels that skip zeros.
///
/// Arithmetic traps on overflow: the accumulator-range analysis has ruled overflow out, so a
/// trap would be a bug, never a silent wrap.
public struct ReferenceInterpreter: Sendable {
    public let graph: QGraph
    /// Per node, its weights in logical order (empty for ops without weights).
    private let weights: [[Int8]]

    /// Checks the graph (verifier and accumulator ranges) once, so `run` can rely on it.
    public init(graph: QGraph) throws {
        try GraphVerifier.verify(graph)
        _ = try AccumulatorRangeAnalysis.check(graph)
        self.graph = graph
        weights = graph.nodes.map { $0.op.weights?.denseValues ?? [] }
    }

    /// The output tensor's int8 values for one input (channels-last, `inputTensor.byteCount` values).
    public func run(_ input: [Int8]) -> [Int8] {
        runAll(input)[graph.output]
    }

    /// Every tensor's int8 values for one input, indexed like `graph.tensors` (reports use the
    /// intermediate ones to show where quantization error enters).
    public func runAll(_ input: [Int8]) -> [[Int8]] {
        precondition(input.count == graph.inputTensor.byteCount,
                     "input has \(input.count) values, the graph takes \(graph.inputTensor.byteCount)")
        var values = [[Int8]](repeating: [], count: graph.tensors.count)
        values[graph.input] = input
        for (n, node) in graph.nodes.enumerated() {
            let tensors = ReferenceNode(inputs: node.inputs.map { graph.tensors[$0] }, output: graph.tensors[node.output])
            values[node.output] = node.op.operation.reference(node.inputs.map { values[$0] }, weights: weights[n], tensors)
        }
        return values
    }

    /// Runs `count` inputs laid end to end, in parallel, in slices of `sliceSize` so that
    /// `progress` (if given) hears how many are done after each slice; outputs end to end in the
    /// same order.
    public func run(batch inputs: [Int8], count: Int, progress: ((_ done: Int) -> Void)? = nil) -> [Int8] {
        let inSize = graph.inputTensor.byteCount, outSize = graph.outputTensor.byteCount
        precondition(inputs.count == count * inSize, "batch has \(inputs.count) values for \(count) inputs of \(inSize)")
        var outputs = [Int8](repeating: 0, count: count * outSize)
        outputs.withUnsafeMutableBufferPointer { out in
            let out = out
            for start in stride(from: 0, to: count, by: Self.sliceSize) {
                let end = min(count, start + Self.sliceSize)
                DispatchQueue.concurrentPerform(iterations: end - start) { k in
                    let i = start + k
                    let y = run(Array(inputs[(i * inSize)..<((i + 1) * inSize)]))
                    for j in 0..<outSize { out[i * outSize + j] = y[j] }
                }
                progress?(end)
            }
        }
        return outputs
    }

    /// Inputs per parallel slice of `run(batch:)`: enough to keep the cores busy, few enough
    /// that progress moves.
    static let sliceSize = 256
}
