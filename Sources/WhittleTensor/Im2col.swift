/// Geometry of one 2-D convolution or pooling window over a single image.
public struct ConvGeometry: Equatable, Sendable {
    public var channels, height, width: Int
    public var kernelH, kernelW: Int
    public var strideH, strideW: Int
    public var padding: Padding2D

    public init(channels: Int, height: Int, width: Int, kernelH: Int, kernelW: Int,
                strideH: Int = 1, strideW: Int = 1, padding: Padding2D = .zero) {
        self.channels = channels; self.height = height; self.width = width
        self.kernelH = kernelH; self.kernelW = kernelW
        self.strideH = strideH; self.strideW = strideW
        self.padding = padding
    }

    /// The window fits the padded input at least once (else outHeight/outWidth would round a
    /// negative quotient up to a bogus 1).
    public var windowFits: Bool { kernelH <= paddedHeight && kernelW <= paddedWidth }
    public var outHeight: Int { (paddedHeight - kernelH) / strideH + 1 }
    public var outWidth: Int { (paddedWidth - kernelW) / strideW + 1 }
    public var paddedHeight: Int { height + padding.top + padding.bottom }
    public var paddedWidth: Int { width + padding.left + padding.right }
    /// Rows of the column matrix: channels · kh · kw.
    public var patchSize: Int { channels * kernelH * kernelW }
    /// Columns of the column matrix: outHeight · outWidth.
    public var outPixels: Int { outHeight * outWidth }
}

/// im2col / col2im for one image in CHW layout.
///
/// The column matrix is [patchSize × outPixels], row index (c, ky, kx), column index (oy, ox),
/// so a conv is `W[out × patchSize] · cols`, which lands directly in CHW output layout.
/// Out-of-image taps read as 0 (float padding).
///
/// Row (c, ky, kx) of the column matrix reads, for the output rows oy whose tap row is inside
/// the image (a `TapSpan`), the output columns ox whose tap column is inside (another); the
/// spans are worked out once per row, so the copy loops have no bounds tests, and runs of
/// stride 1 (the common unpadded case) move 8 floats at a time. `fold` walks the same runs in
/// the same order, adding instead of copying.
public enum Im2col {
    public static func unfold(_ g: ConvGeometry, image: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>) {
        let ow = g.outWidth
        if g.isDense {
            forEachRun(g) { copyRun(from: image + $0, to: columns + $1, count: ow) }
            return
        }
        if unfoldsByLines(g) { return unfoldLines(g, image: image, columns: columns) }
        forEachRow(g) { row, firstTap, ys, xs in
            unfoldRow(columns + row, from: image + firstTap, ys, xs, lineStride: ys.stride * g.width, width: g.outWidth)
        }
    }

    /// Adds each column entry back onto the image position it was read from (the adjoint of
    /// `unfold`). The image must be zeroed (or hold values to accumulate onto) beforehand.
    public static func fold(_ g: ConvGeometry, columns: UnsafePointer<Float>, image: UnsafeMutablePointer<Float>) {
        let ow = g.outWidth
        if g.isDense {
            forEachRun(g) { addRun(columns + $1, to: image + $0, count: ow) }
            return
        }
        forEachRow(g) { row, firstTap, ys, xs in
            foldRow(columns + row, onto: image + firstTap, ys, xs, lineStride: ys.stride * g.width, width: g.outWidth)
        }
    }

    /// One row of the column matrix from the image lines `lineStride` apart starting at `src`.
    @inline(never)
    private static func unfoldRow(_ dst: UnsafeMutablePointer<Float>, from src: UnsafePointer<Float>,
                                  _ ys: TapSpan, _ xs: TapSpan, lineStride: Int, width: Int) {
        zero(dst, count: ys.lower &* width)
        let lines = ys.upper &- ys.lower, out = dst + ys.lower &* width
        if xs.isWhole(width) {
            for i in 0..<lines { copyRun(from: src + i &* lineStride, to: out + i &* width, count: width) }
        } else {
            for i in 0..<lines { xs.copy(from: src + i &* lineStride, to: out + i &* width, width: width) }
        }
        zero(out + lines &* width, count: (ys.count &- ys.upper) &* width)
    }

    /// `unfoldRow` backwards: adds one row of the column matrix onto the image lines.
    @inline(never)
    private static func foldRow(_ src: UnsafePointer<Float>, onto dst: UnsafeMutablePointer<Float>,
                                _ ys: TapSpan, _ xs: TapSpan, lineStride: Int, width: Int) {
        let lines = ys.upper &- ys.lower, col = src + ys.lower &* width
        if xs.isWhole(width) {
            for i in 0..<lines { addRun(col + i &* width, to: dst + i &* lineStride, count: width) }
        } else {
            for i in 0..<lines { xs.add(col + i &* width, to: dst + i &* lineStride) }
        }
    }

    /// Stride 1, no padding: every tap is inside, and segment (c, ky, kx, oy) of the column
    /// matrix is a plain copy of outWidth pixels. Calls `body(imageOffset, columnOffset)` for
    /// each, in storage order.
    @inline(__always)
    private static func forEachRun(_ g: ConvGeometry, _ body: (Int, Int) -> Void) {
        var column = 0
        for c in 0..<g.channels {
            for ky in 0..<g.kernelH {
                for kx in 0..<g.kernelW {
                    var pixel = (c * g.height + ky) * g.width + kx
                    for _ in 0..<g.outHeight {
                        body(pixel, column)
                        pixel &+= g.width
                        column &+= g.outWidth
                    }
                }
            }
        }
    }

    /// Calls `body` for each row (c, ky, kx) of the column matrix, in storage order, with the
    /// row's offset in the column matrix, the image offset of its first inside tap (at
    /// (ys.lower, xs.lower)), and the spans of output rows and columns whose taps are inside.
    @inline(__always)
    private static func forEachRow(_ g: ConvGeometry, _ body: (_ row: Int, _ firstTap: Int, _ ys: TapSpan, _ xs: TapSpan) -> Void) {
        var row = 0
        for c in 0..<g.channels {
            for ky in 0..<g.kernelH {
                let ys = TapSpan(offset: ky - g.padding.top, stride: g.strideH, extent: g.height, count: g.outHeight)
                for kx in 0..<g.kernelW {
                    let xs = TapSpan(offset: kx - g.padding.left, stride: g.strideW, extent: g.width, count: g.outWidth)
                    body(row, (c * g.height + ys.firstTap) * g.width + xs.firstTap, ys, xs)
                    row += g.outPixels
                }
            }
        }
    }
}

/// Along one axis, for one kernel offset: the outputs `lower..<upper` (of `count`) whose taps
/// o · stride + offset lie inside 0..<extent, and the tap of the first of them.
private struct TapSpan {
    let lower: Int, upper: Int, count: Int, firstTap: Int, stride: Int

    init(offset: Int, stride: Int, extent: Int, count: Int) {
        self.count = count
        /// The first o ≥ 0 with o · stride + offset ≥ bound.
        func first(reaching bound: Int) -> Int {
            if offset >= bound { return 0 }
            return stride == 1 ? bound - offset : (bound - offset + stride - 1) / stride
        }
        lower = min(first(reaching: 0), count)
        upper = max(lower, min(first(reaching: extent), count))
        firstTap = lower * stride + offset
        self.stride = stride
    }

    /// Every output has its tap inside, one apart: the run is a plain copy.
    @inline(__always)
    func isWhole(_ width: Int) -> Bool { stride == 1 && lower == 0 && upper == width }

    /// dst[o] = line[o · stride] for o in the span (`line` at the span's first tap), 0 for
    /// the other outputs of `0..<width`.
    @inline(__always)
    func copy(from line: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, width: Int) {
        zero(dst, count: lower)
        let out = dst + lower, n = upper &- lower
        if stride == 1 {
            copyRun(from: line, to: out, count: n)
        } else if stride == 2 {
            copyEvenElements(from: line, to: out, count: n)
        } else {
            for i in 0..<n { out[i] = line[i &* stride] }
        }
        zero(dst + upper, count: width &- upper)
    }

    /// line[o · stride] += col[o] for o in the span.
    @inline(__always)
    func add(_ col: UnsafePointer<Float>, to line: UnsafeMutablePointer<Float>) {
        let from = col + lower, n = upper &- lower
        if stride == 1 {
            addRun(from, to: line, count: n)
        } else if stride == 2 {
            addToEvenElements(from, to: line, count: n)
        } else {
            for i in 0..<n { line[i &* stride] += from[i] }
        }
    }
}

extension ConvGeometry {
    /// Stride 1 and no padding: every tap of every window is inside the image.
    var isDense: Bool { strideH == 1 && strideW == 1 && padding == .zero }
}

/// dst[0..<count] = 0 (count may be 0).
@inline(__always)
private func zero(_ dst: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i < count { dst[i] = 0; i &+= 1 }
}

/// dst[0..<count] = src[0..<count], 8 at a time.
@inline(__always)
private func copyRun(from src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i &+ 8 <= count { SIMD8(unalignedAt: src + i).store(to: dst + i); i &+= 8 }
    while i < count { dst[i] = src[i]; i &+= 1 }
}

/// dst[0..<count] += src[0..<count], 8 at a time.
@inline(__always)
private func addRun(_ src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i &+ 8 <= count { (SIMD8(unalignedAt: dst + i) + SIMD8(unalignedAt: src + i)).store(to: dst + i); i &+= 8 }
    while i < count { dst[i] += src[i]; i &+= 1 }
}
