import WhittleTensor

/// ReLU and ReLU6: y = clamp(x, 0, upper). One layer type, because the integer back end
/// treats both as clamp bounds too.
public final class ClampActivation: LayerBase, Layer {
    public let upper: Float   // .infinity for ReLU, 6 for ReLU6
    /// The training output: 0 < y < upper exactly where 0 < x < upper, so backward reads the
    /// tensor the layer returned instead of keeping its input. Set by the graph too when it runs
    /// this layer fused with the one before it (TrainingFusion).
    var output = Tensor(shape: [0])

    public init(upper: Float) { self.upper = upper }
    public static func relu() -> ClampActivation { ClampActivation(upper: .infinity) }
    public static func relu6() -> ClampActivation { ClampActivation(upper: 6) }

    public var kind: String { upper == .infinity ? "relu" : "relu6" }

    public func outputShape(for input: [Int]) throws -> [Int] { input }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        var y = Tensor(uninitializedShape: x.shape)
        x.withUnsafePointer { xp in y.withUnsafeMutablePointer { yp in Elementwise.clamp(xp, upper: upper, into: yp, count: x.count) } }
        output = mode == .train ? y : Tensor(shape: [0])
        return y
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        var g = Tensor(uninitializedShape: gradOutput.shape)
        gradOutput.withUnsafePointer { dy in output.withUnsafePointer { y in g.withUnsafeMutablePointer { gp in
            Elementwise.clampGradient(dy, output: y, upper: upper, into: gp, count: gradOutput.count)
        }}}
        return g
    }
}
