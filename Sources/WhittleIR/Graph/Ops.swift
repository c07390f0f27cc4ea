/// 2-D convolution over a channels-last input, grouped (`groups == 1` is a plain conv,
/// `groups == inputChannels` a depthwise conv with `outputChannels / groups` as its multiplier).
///
/// `acc = bias[c] + Σ (x − zx) · w` over in-bounds taps; out-of-bounds taps are skipped, which
/// equals padding with the input zero point. Then
/// `y = clamp(zy + MultiplyByQuantizedMultiplier(acc, requantization[c]))`, max-pooled by `pool`
/// when a max pool was folded into the conv.
public struct Conv2D: Hashable, Sendable {
    public var window: Window2D
    public var groups: Int
    /// Logical order `[outChannel][kernelY][kernelX][inChannel within the group]`.
    public var weights: WeightStorage
    /// Per output channel; metadata that explains `requantization` (s_in·s_w[c]/s_out).
    public var weightScales: [Double]
    public var bias: [Int32]
    public var requantization: [QuantizedMultiplier]
    public var clamp: ClampRange
    /// A max pool folded into the output stage (the `fold-max-pool` pass); the node's output is
    /// then the pooled tensor.
    public var pool: FoldedMaxPool?

    public init(window: Window2D, groups: Int, weights: WeightStorage, weightScales: [Double],
                bias: [Int32], requantization: [QuantizedMultiplier], clamp: ClampRange, pool: FoldedMaxPool? = nil) {
        self.window = window
        self.groups = groups
        self.weights = weights
        self.weightScales = weightScales
        self.bias = bias
        self.requantization = requantization
        self.clamp = clamp
        self.pool = pool
    }

    /// The convolution's own output (before a folded pool) for `input`; nil if the window does not fit.
    public func convolvedShape(input: TensorShape) -> TensorShape? {
        window.outputSize(height: input.height, width: input.width)
            .map { TensorShape(height: $0.height, width: $0.width, channels: bias.count) }
    }
}

/// A max pool of `height × width` windows that tile the conv output (stride = kernel, no
/// padding, no clamp of its own), computed in the conv's output stage. Exact: requantization never
/// decreases as the accumulator grows, so the largest requantized value of a window is the
/// requantized largest accumulator. `name` is the pool node it replaced, for reports.
public struct FoldedMaxPool: Hashable, Sendable {
    public var name: String
    public var height: Int
    public var width: Int

    public init(name: String, height: Int, width: Int) {
        self.name = name
        self.height = height
        self.width = width
    }

    /// The pool as a window of its own.
    public var window: Window2D {
        Window2D(kernelHeight: height, kernelWidth: width, strideHeight: height, strideWidth: width)
    }
}

/// Fully connected layer over the input's elements in memory order:
/// `acc[o] = bias[o] + Σ_i (x[i] − zx) · w[o][i]`, then requantized and clamped like `Conv2D`.
public struct FullyConnected: Hashable, Sendable {
    /// Logical order `[output][input]`.
    public var weights: WeightStorage
    public var weightScales: [Double]
    public var bias: [Int32]
    public var requantization: [QuantizedMultiplier]
    public var clamp: ClampRange

    public init(weights: WeightStorage, weightScales: [Double], bias: [Int32],
                requantization: [QuantizedMultiplier], clamp: ClampRange) {
        self.weights = weights
        self.weightScales = weightScales
        self.bias = bias
        self.requantization = requantization
        self.clamp = clamp
    }
}

/// Max or average pooling per channel. The output keeps the input's scale and zero point.
/// Average pooling sums the in-bounds taps and divides by their count, rounding
/// `.toNearestOrAway`.
public struct Pool2D: Hashable, Sendable {
    public var window: Window2D
    public var clamp: ClampRange

    public init(window: Window2D, clamp: ClampRange = .int8) {
        self.window = window
        self.clamp = clamp
    }
}

/// The operation of one node. A reshape (or flatten) reinterprets its input's bytes under the
/// output's shape: no copy, the two tensors share storage.
public enum QOp: Hashable, Sendable {
    case conv2d(Conv2D)
    case fullyConnected(FullyConnected)
    case maxPool(Pool2D)
    case averagePool(Pool2D)
    case reshape
    /// The elementwise sum of the node's two inputs (a residual join).
    case add(Add)
    /// Softmax over each pixel's channels (output scale 1/256, zero point −128).
    case softmax(Softmax)
    /// The mean over height and width of each channel (a 1×1×C output).
    case mean(Mean)
    /// Constant padding with the zero point.
    case pad(Pad)

    /// What the IR knows about this op (`QOperation`, in `Graph/Operations/` and the op's file).
    var operation: any QOperation {
        switch self {
        case .conv2d(let conv): return conv
        case .fullyConnected(let fc): return fc
        case .maxPool(let pool): return PoolOperation(pool: pool, average: false)
        case .averagePool(let pool): return PoolOperation(pool: pool, average: true)
        case .reshape: return ReshapeOperation()
        case .add(let add): return add
        case .softmax(let softmax): return softmax
        case .mean(let mean): return mean
        case .pad(let pad): return pad
        }
    }

    /// Reads an op's fields after its tag, by tag (see `QOperation.encodeFields`).
    static let decoders: [UInt8: (inout BinaryReader, String) throws -> QOp] = [
        1: Conv2D.decode, 2: FullyConnected.decode, 3: PoolOperation.decode(average: false), 4: PoolOperation.decode(average: true),
        5: { _, _ in .reshape }, 6: Add.decode, 7: Softmax.decode, 8: Mean.decode, 9: Pad.decode,
    ]

    /// The op's name in messages, reports and files.
    public var kindName: String { operation.kindName }

    /// How many inputs a node of this op reads.
    public var inputCount: Int { operation.inputCount }

    /// How the op's output stage rounds (TFLite's reference rule for the op).
    public var requantizationRounding: RequantizationRounding { operation.requantizationRounding }

    /// The weights of a conv / fully connected op as stored; nil for ops without weights.
    public var weights: WeightStorage? { operation.layerWeights }

    /// Output channels of a conv / fully connected op (one bias each); nil for other ops.
    public var outputChannels: Int? {
        switch self {
        case .conv2d(let conv): return conv.bias.count
        case .fullyConnected(let fc): return fc.bias.count
        default: return nil
        }
    }

    /// The op with `storage` in place of its weights (ops without weights unchanged).
    public func replacingWeights(_ storage: WeightStorage) -> QOp {
        switch self {
        case .conv2d(var conv):
            conv.weights = storage
            return .conv2d(conv)
        case .fullyConnected(var fc):
            fc.weights = storage
            return .fullyConnected(fc)
        default:
            return self
        }
    }
}
