import WhittleTensor

/// Window size, stride and padding of a pooling layer, shared by max and average pooling.
/// Height and width are separate (a [2, 3] kernel is 2 rows by 3 columns), and padding may
/// differ per side (TensorFlow's "same").
public struct PoolWindow: Equatable, Sendable {
    public var kernel: (h: Int, w: Int), stride: (h: Int, w: Int)
    public var padding: Padding2D

    /// `stride` defaults to the kernel, as in PyTorch.
    public init(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: Padding2D = .zero) {
        self.kernel = (kernel.0, kernel.1)
        self.stride = stride.map { ($0.0, $0.1) } ?? self.kernel
        self.padding = padding
    }

    /// A square window with the same padding on every side.
    public init(kernel: Int, stride: Int? = nil, padding: Int = 0) {
        self.init(kernel: (kernel, kernel), stride: stride.map { ($0, $0) }, padding: Padding2D(padding, padding))
    }

    public static func == (a: PoolWindow, b: PoolWindow) -> Bool {
        a.kernel == b.kernel && a.stride == b.stride && a.padding == b.padding
    }

    func geometry(_ input: [Int]) -> ConvGeometry {
        ConvGeometry(channels: input[0], height: input[1], width: input[2], kernelH: kernel.h, kernelW: kernel.w,
                     strideH: stride.h, strideW: stride.w, padding: padding)
    }

    func outputShape(for input: [Int]) throws -> [Int] {
        guard input.count == 3 else { throw ShapeError("expects a [channels, height, width] input, got shape \(input)") }
        // PyTorch's rule, per side: a window is never more than half padding.
        let p = padding
        guard min(p.top, p.left, p.bottom, p.right) >= 0,
              2 * max(p.top, p.bottom) <= kernel.h, 2 * max(p.left, p.right) <= kernel.w else {
            throw ShapeError("padding \(p) must be 0 to half the kernel \(kernel.h)×\(kernel.w)")
        }
        let g = geometry(input)
        guard g.windowFits else { throw ShapeError("window \(kernel.h)×\(kernel.w) does not fit a \(input[1])×\(input[2]) input") }
        return [input[0], g.outHeight, g.outWidth]
    }
}

/// Visits every output position of a pooling window over one plane, passing the output index
/// and the in-bounds input rows and columns (padding taps are skipped).
@inline(__always)
func forEachWindow(_ g: ConvGeometry, _ body: (_ out: Int, _ rows: Range<Int>, _ cols: Range<Int>) -> Void) {
    for oy in 0..<g.outHeight {
        let y0 = oy * g.strideH - g.padding.top
        let rows = max(y0, 0)..<min(y0 + g.kernelH, g.height)
        for ox in 0..<g.outWidth {
            let x0 = ox * g.strideW - g.padding.left
            body(oy * g.outWidth + ox, rows, max(x0, 0)..<min(x0 + g.kernelW, g.width))
        }
    }
}
