import WhittleTensor

/// Window size, stride and padding of a pooling layer, shared by max and average pooling.
public struct PoolWindow: Equatable, Sendable {
    public var kernel: Int, stride: Int, padding: Int

    public init(kernel: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernel = kernel; self.stride = stride ?? kernel; self.padding = padding
    }

    func geometry(_ input: [Int]) -> ConvGeometry {
        ConvGeometry(channels: input[0], height: input[1], width: input[2], kernelH: kernel, kernelW: kernel,
                     strideH: stride, strideW: stride, padH: padding, padW: padding)
    }

    func outputShape(for input: [Int]) throws -> [Int] {
        guard input.count == 3 else { throw ShapeError("expects a [channels, height, width] input, got shape \(input)") }
        guard padding >= 0, padding * 2 <= kernel else { throw ShapeError("padding \(padding) must be 0 to half the kernel \(kernel)") }
        let g = geometry(input)
        guard g.windowFits else { throw ShapeError("window \(kernel) does not fit a \(input[1])×\(input[2]) input") }
        return [input[0], g.outHeight, g.outWidth]
    }
}

/// Visits every output position of a pooling window over one plane, passing the output index
/// and the in-bounds input rows and columns (padding taps are skipped).
@inline(__always)
func forEachWindow(_ g: ConvGeometry, _ body: (_ out: Int, _ rows: Range<Int>, _ cols: Range<Int>) -> Void) {
    for oy in 0..<g.outHeight {
        let y0 = oy * g.strideH - g.padH
        let rows = max(y0, 0)..<min(y0 + g.kernelH, g.height)
        for ox in 0..<g.outWidth {
            let x0 = ox * g.strideW - g.padW
            body(oy * g.outWidth + ox, rows, max(x0, 0)..<min(x0 + g.kernelW, g.width))
        }
    }
}
