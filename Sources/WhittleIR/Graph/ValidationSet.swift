/// Inputs with their labels and the float model's logits, stored in the `.q` file so the back
/// end can report accuracy without importing the float side.
public struct ValidationSet: Hashable, Sendable {
    public var count: Int
    /// `count × inputSize` int8 values, each input in the graph's input layout (channels-last).
    public var inputs: [Int8]
    /// One class per input, or nil.
    public var labels: [Int32]?
    /// `count × outputSize` float logits of the float model, or nil.
    public var floatLogits: [Float]?
    /// `count × outputSize` int8 outputs another engine computed for these inputs (an imported
    /// model's reference, e.g. TFLite's reference kernels), which `verify` requires byte for byte; or nil.
    public var expectedOutputs: [Int8]?
    /// Set for an autoencoder: the output reconstructs the input element for element, and is
    /// scored by its reconstruction error rather than by a class (`floatLogits` then holds the
    /// float model's reconstructions).
    public var reconstruction: ReconstructionTask?

    public init(count: Int, inputs: [Int8], labels: [Int32]? = nil, floatLogits: [Float]? = nil, expectedOutputs: [Int8]? = nil,
                reconstruction: ReconstructionTask? = nil) {
        self.count = count
        self.inputs = inputs
        self.labels = labels
        self.floatLogits = floatLogits
        self.expectedOutputs = expectedOutputs
        self.reconstruction = reconstruction
    }

    /// The first `limit` entries.
    public func prefix(_ limit: Int) -> ValidationSet {
        let n = min(limit, count)
        let inputSize = count == 0 ? 0 : inputs.count / count
        let logitsSize = count == 0 ? 0 : (floatLogits?.count ?? 0) / count
        let expectedSize = count == 0 ? 0 : (expectedOutputs?.count ?? 0) / count
        return ValidationSet(count: n, inputs: Array(inputs.prefix(n * inputSize)),
                             labels: labels.map { Array($0.prefix(n)) },
                             floatLogits: floatLogits.map { Array($0.prefix(n * logitsSize)) },
                             expectedOutputs: expectedOutputs.map { Array($0.prefix(n * expectedSize)) },
                             reconstruction: reconstruction)
    }
}

/// What an autoencoder's validation needs beyond its vectors: the classes training took as
/// normal (nil when unknown), so the reconstruction error can be scored as an anomaly detector
/// (samples of the other classes are the anomalies).
public struct ReconstructionTask: Hashable, Sendable {
    public var normalClasses: [Int32]?
    public init(normalClasses: [Int32]?) { self.normalClasses = normalClasses }
}
