/// Index of a tensor in `QGraph.tensors`.
public typealias TensorID = Int

/// One int8 activation tensor: its name (for messages and generated comments), shape and
/// quantization.
public struct QTensor: Hashable, Sendable {
    public var name: String
    public var shape: TensorShape
    public var quant: QuantParams

    public init(name: String, shape: TensorShape, quant: QuantParams) {
        self.name = name
        self.shape = shape
        self.quant = quant
    }

    /// Bytes the tensor occupies (int8: one per element).
    public var byteCount: Int { shape.elementCount }
}
