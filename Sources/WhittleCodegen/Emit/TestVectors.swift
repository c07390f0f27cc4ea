import WhittleIR

/// The inputs an emitted folder is checked on, with the reference interpreter's outputs (the
/// golden vectors) and, for validation inputs, the labels and float logits.
struct TestVectors {
    var count: Int
    var inputs: [Int8]
    var expected: [Int8]
    var labels: [Int32]?
    var floatLogits: [Float]?
    /// The outputs another engine gave for validation inputs (`ValidationSet.expectedOutputs`).
    var givenExpected: [Int8]?
    var source: String

    static let defaultRandomCount = 16

    /// The first `requested` validation inputs if the graph carries any (all by default);
    /// otherwise `requested` (default 16) seeded random inputs, the first three all −128, all 127
    /// and all at the input zero point. Random inputs stop at `QGraphLimits`' vector count and
    /// bytes (the verifier holds a validation set to the same), so no request allocates more.
    static func make(for interpreter: ReferenceInterpreter, requested: Int?, seed: UInt64,
                     progress: ((String) -> Void)? = nil) -> TestVectors {
        let graph = interpreter.graph
        let inSize = graph.inputTensor.byteCount
        var vectors: TestVectors
        if let validation = graph.validation, validation.count > 0 {
            let set = validation.prefix(requested ?? validation.count)
            vectors = TestVectors(count: set.count, inputs: set.inputs, expected: [], labels: set.labels,
                                  floatLogits: set.floatLogits, givenExpected: set.expectedOutputs, source: "validation set")
        } else {
            let perVector = inSize + graph.outputTensor.byteCount
            let count = min(requested ?? defaultRandomCount, QGraphLimits.maxVectors, QGraphLimits.maxVectorBytes / perVector)
            var random = SeededGenerator(seed: seed)
            let fills: [Int8] = [-128, 127, Int8(graph.inputTensor.quant.zeroPoint)]
            let inputs = (0..<count).flatMap { i -> [Int8] in
                i < fills.count ? Array(repeating: fills[i], count: inSize)
                                : (0..<inSize).map { _ in random.nextInt8() }
            }
            vectors = TestVectors(count: count, inputs: inputs, expected: [], labels: nil, floatLogits: nil, source: "random")
        }
        let total = vectors.count
        vectors.expected = interpreter.run(batch: vectors.inputs, count: total) { done in
            progress?("reference outputs \(done)/\(total)")
        }
        return vectors
    }
}
