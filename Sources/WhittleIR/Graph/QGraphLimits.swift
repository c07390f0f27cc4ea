/// How large a graph Whittle accepts. A `.q` file is untrusted input: `GraphVerifier` checks
/// every size it claims against these (rule `size-limit`) before anything multiplies by it or
/// allocates for it (multiplying only through
/// `checkedProduct`), so a crafted file ends in a one-line error, never a trap or a gigabyte
/// allocation. Each limit is far above what a microcontroller model needs (MLPerf Tiny's largest
/// runs about 2^23 MACs on 2^19 bytes of activations).
public enum QGraphLimits {
    /// Elements (int8 bytes) of one tensor.
    public static let maxTensorElements = 1 << 24
    /// One tensor dimension, or one kernel size, stride or padding of a window.
    public static let maxDimension = 1 << 24
    /// Elements of all tensors together: what the reference interpreter holds for one input.
    public static let maxGraphElements = 1 << 26
    public static let maxTensors = 1 << 12
    public static let maxNodes = 1 << 12
    /// Logical (dense) weights of one conv / fully connected layer.
    public static let maxLayerWeights = 1 << 24
    /// Logical weights of all layers together: what the reference interpreter decodes and holds.
    /// Sparse tables can claim 30 times more weights than they have bytes.
    public static let maxGraphWeights = 1 << 26
    /// Multiply-accumulates of one inference over all layers, a pool's window taps counted as
    /// MACs: the reference interpreter's work per input.
    public static let maxGraphMACs = 1 << 30
    /// Inputs of the validation set, and test vectors of an emitted folder.
    public static let maxVectors = 1 << 16
    /// Bytes of vectors, inputs and outputs together: what `emit` holds and writes for them.
    public static let maxVectorBytes = 1 << 28

}
