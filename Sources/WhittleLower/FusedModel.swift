import WhittleNN
import WhittleTensor

/// A float model rewritten into the steps the integer back end executes: each conv/linear with
/// its BatchNorm folded in and its ReLU/ReLU6 fused as clamp bounds, adds (with their fused
/// activation), pools, reshapes and a final softmax. Dropout disappears (identity at inference).
/// Steps read earlier steps' outputs, so residual graphs keep their shape. It is still float;
/// quantization comes next.
public struct FusedModel {
    public enum Activation: Equatable, Sendable {
        case none, relu, relu6
        /// The real-valued clamp the activation applies.
        public var bounds: (lower: Float, upper: Float) {
            switch self {
            case .none: return (-.infinity, .infinity)
            case .relu: return (0, .infinity)
            case .relu6: return (0, 6)
            }
        }
    }

    public struct Conv {
        public var weight: Tensor          // [out, in/groups, kh, kw], BatchNorm folded in
        public var bias: [Float]           // [out]
        public var stride: (h: Int, w: Int)
        public var padding: Padding2D        // four sides ("same" may be uneven)
        public var groups: Int
        public var activation: Activation
    }

    public struct FullyConnected {
        public var weight: Tensor          // [out, in], BatchNorm folded in
        public var bias: [Float]
        public var activation: Activation
    }

    public enum Op {
        case conv(Conv)
        case fullyConnected(FullyConnected)
        case maxPool(PoolWindow)
        case avgPool(PoolWindow)
        case reshape
        /// The elementwise sum of the step's two inputs.
        case add(Activation)
        case softmax
    }

    /// A step input meaning "the model input".
    public static let input = -1

    public struct Step {
        /// Name of the step's main layer ("conv1").
        public var name: String
        public var op: Op
        /// The steps whose outputs this step reads (`FusedModel.input` for the model input).
        public var inputs: [Int]
        /// The graph node whose output this step produces (the fused activation, if any), whose
        /// calibrated range quantizes the step's output.
        public var outputNode: String
        public var inputShape: [Int]
        public var outputShape: [Int]
    }

    public var inputShape: [Int]
    public var steps: [Step]
    /// The step whose output is the model's output (the last one, unless a dropout ends the model).
    public var output: Int
}

public struct LoweringError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
