import WhittleTensor

/// Average pooling over the in-bounds taps of each window (PyTorch's count_include_pad=False),
/// the same rule the integer back end uses. `global` pools each whole plane to 1×1 (global
/// average pooling), its window taken from the input shape: H×W, square or not (DS-CNN's
/// 25×5 map).
public final class AvgPool2d: LayerBase, Layer {
    public private(set) var window: PoolWindow
    public let isGlobal: Bool
    private var inputShape: [Int] = []

    public init(_ window: PoolWindow) { self.window = window; isGlobal = false }
    public init(global: ()) { window = PoolWindow(kernel: 1); isGlobal = true }

    public var kind: String { isGlobal ? "global_avgpool" : "avgpool2d" }

    public func outputShape(for input: [Int]) throws -> [Int] {
        if isGlobal {
            guard input.count == 3 else {
                throw ShapeError("global average pooling expects a [channels, height, width] input, got \(input)")
            }
            window = PoolWindow(kernel: (input[1], input[2]))
        }
        return try window.outputShape(for: input)
    }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        inputShape = x.shape
        let g = window.geometry(Array(x.shape.dropFirst()))
        let planes = x.shape[0] * x.shape[1], inPlane = g.height * g.width, outPlane = g.outPixels
        var y = Tensor(shape: [x.shape[0], x.shape[1], g.outHeight, g.outWidth])
        x.withUnsafePointer { xp in y.withUnsafeMutablePointer { yp in
            for plane in 0..<planes {
                let src = xp + plane * inPlane
                forEachWindow(g) { o, rows, cols in
                    var s: Float = 0
                    for r in rows { for c in cols { s += src[r * g.width + c] } }
                    yp[plane * outPlane + o] = s / Float(rows.count * cols.count)
                }
            }
        }}
        return y
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        var dx = Tensor(shape: inputShape)
        let g = window.geometry(Array(inputShape.dropFirst()))
        let planes = inputShape[0] * inputShape[1], inPlane = g.height * g.width, outPlane = g.outPixels
        gradOutput.withUnsafePointer { gp in dx.withUnsafeMutablePointer { dxp in
            for plane in 0..<planes {
                let dst = dxp + plane * inPlane
                forEachWindow(g) { o, rows, cols in
                    let share = gp[plane * outPlane + o] / Float(rows.count * cols.count)
                    for r in rows { for c in cols { dst[r * g.width + c] += share } }
                }
            }
        }}
        return dx
    }
}
