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

    public init(count: Int, inputs: [Int8], labels: [Int32]? = nil, floatLogits: [Float]? = nil, expectedOutputs: [Int8]? = nil) {
        self.count = count
        self.inputs = inputs
        self.labels = labels
        self.floatLogits = floatLogits
        self.expectedOutputs = expectedOutputs
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
                             expectedOutputs: expectedOutputs.map { Array($0.prefix(n * expectedSize)) })
    }
}
