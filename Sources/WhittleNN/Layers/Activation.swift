import WhittleTensor

/// ReLU and ReLU6: y = clamp(x, 0, upper). One layer type, because the integer back end
/// treats both as clamp bounds too.
public final class ClampActivation: LayerBase, Layer {
    public let upper: Float   // .infinity for ReLU, 6 for ReLU6
    private var input = Tensor(shape: [0])

    public init(upper: Float) { self.upper = upper }
    public static func relu() -> ClampActivation { ClampActivation(upper: .infinity) }
    public static func relu6() -> ClampActivation { ClampActivation(upper: 6) }

    public var kind: String { upper == .infinity ? "relu" : "relu6" }

    public func outputShape(for input: [Int]) throws -> [Int] { input }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        if mode == .train { input = x }
        var y = x
        let hi = upper
        y.withUnsafeMutablePointer { p in
            for i in 0..<x.count { p[i] = min(max(p[i], 0), hi) }
        }
        return y
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        var g = gradOutput
        let hi = upper
        input.withUnsafePointer { x in
            g.withUnsafeMutablePointer { p in
                for i in 0..<gradOutput.count where !(x[i] > 0 && x[i] < hi) { p[i] = 0 }
            }
        }
        return g
    }
}
