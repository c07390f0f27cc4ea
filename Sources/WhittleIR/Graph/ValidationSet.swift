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

    public init(count: Int, inputs: [Int8], labels: [Int32]? = nil, floatLogits: [Float]? = nil) {
        self.count = count
        self.inputs = inputs
        self.labels = labels
        self.floatLogits = floatLogits
    }

    /// The first `limit` entries.
    public func prefix(_ limit: Int) -> ValidationSet {
        let n = min(limit, count)
        let inputSize = count == 0 ? 0 : inputs.count / count
        let outputSize = count == 0 ? 0 : (floatLogits?.count ?? 0) / count
        return ValidationSet(count: n, inputs: Array(inputs.prefix(n * inputSize)),
                             labels: labels.map { Array($0.prefix(n)) },
                             floatLogits: floatLogits.map { Array($0.prefix(n * outputSize)) })
    }
}
