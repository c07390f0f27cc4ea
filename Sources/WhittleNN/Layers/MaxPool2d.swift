import WhittleTensor

/// Max pooling; padding taps never win (as PyTorch's −∞ padding). Remembers the winning
/// input position of every output for the backward pass.
public final class MaxPool2d: LayerBase, Layer {
    public let window: PoolWindow
    private var inputShape: [Int] = []
    private var winners: [Int32] = []

    public init(_ window: PoolWindow) { self.window = window }
    public var kind: String { "maxpool2d" }

    public func outputShape(for input: [Int]) throws -> [Int] { try window.outputShape(for: input) }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        inputShape = x.shape
        let g = window.geometry(Array(x.shape.dropFirst()))
        let planes = x.shape[0] * x.shape[1], inPlane = g.height * g.width, outPlane = g.outPixels
        var y = Tensor(uninitializedShape: [x.shape[0], x.shape[1], g.outHeight, g.outWidth])
        var best = [Int32](repeating: 0, count: planes * outPlane)
        let tiled = window.padding == .zero && window.stride == window.kernel
        x.withUnsafePointer { xp in y.withUnsafeMutablePointer { yp in best.withUnsafeMutableBufferPointer { bb in
            let bp = bb.baseAddress!
            Parallel.forEachChunk(planes) { range in
                for plane in range {
                    let src = xp + plane * inPlane
                    if tiled { // non-overlapping windows, no padding: the common case, without range bookkeeping
                        Self.tiledMax(src, g, values: yp + plane * outPlane, winners: bp + plane * outPlane)
                        continue
                    }
                    forEachWindow(g) { o, rows, cols in
                        var m = -Float.infinity, at = rows.lowerBound * g.width + cols.lowerBound
                        for r in rows { for c in cols where src[r * g.width + c] > m { m = src[r * g.width + c]; at = r * g.width + c } }
                        yp[plane * outPlane + o] = m
                        bp[plane * outPlane + o] = Int32(at)
                    }
                }
            }
        }}}
        winners = mode == .train ? best : []
        return y
    }

    private static func tiledMax(_ src: UnsafePointer<Float>, _ g: ConvGeometry,
                                 values: UnsafeMutablePointer<Float>, winners: UnsafeMutablePointer<Int32>) {
        let kh = g.kernelH, kw = g.kernelW
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                var at = oy * kh * g.width + ox * kw
                var m = src[at]
                for r in 0..<kh {
                    let row = (oy * kh + r) * g.width + ox * kw
                    for c in 0..<kw where src[row + c] > m { m = src[row + c]; at = row + c }
                }
                values[oy * g.outWidth + ox] = m
                winners[oy * g.outWidth + ox] = Int32(at)
            }
        }
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        var dx = Tensor(shape: inputShape)
        let inPlane = inputShape[2] * inputShape[3], outPlane = gradOutput.count / (inputShape[0] * inputShape[1])
        dx.withUnsafeMutablePointer { dxp in
            for plane in 0..<(inputShape[0] * inputShape[1]) {
                for o in 0..<outPlane {
                    dxp[plane * inPlane + Int(winners[plane * outPlane + o])] += gradOutput.storage[plane * outPlane + o]
                }
            }
        }
        return dx
    }
}
