import WhittleTensor

/// Column matrices of a stride-1 convolution in the padded-width layout.
///
/// The image is copied once into zero-padded planes of `paddedWidth` = width + left + right columns.
/// With outputs numbered q = oy · paddedWidth + ox (ox running over the whole padded width),
/// the tap (c, ky, kx) of output q is padded[c][q + ky · paddedWidth + kx]: row (c, ky, kx) of
/// the column matrix is one contiguous run of the padded plane. So the unfold is one long copy
/// per row instead of one short copy per output row (28 floats in ResNet-8's first stage, where
/// the short copies cost about as much as a third of the products). The product then yields
/// kw − 1 extra outputs per row (ox ≥ outWidth), which `extract` drops; gradients given in this
/// layout (`widen`) carry zeros there, so they add nothing to the weight gradient.
///
/// No product needs the column matrix itself: `tapOffsets` gives where each row starts in
/// the padded image, `Gemm.multiplyGathered` reads the rows there (forward and input
/// gradient), `Gemm.multiplyGatheredTransposed` as the columns of dy · columnsᵀ (weight
/// gradient).
///
/// Used where the extra columns cost little: stride 1 with at most 15 % more 8-float vectors
/// of outputs than the plain layout (3×3 with padding 1 on 7×7 and larger planes: 63 outputs
/// are 8 vectors, 49 are 7).
struct WideColumns {
    let g: ConvGeometry
    let paddedWidth: Int, paddedHeight: Int
    /// Row (c, ky, kx) of the column matrix starts at padded[tapOffsets[(c · kh + ky) · kw + kx]].
    let tapOffsets: [Int]

    init?(_ g: ConvGeometry) {
        let pw = g.paddedWidth
        // Compared in 8-float vectors, the unit the products' tiles are paid in.
        func vectors(_ n: Int) -> Int { (n + 7) / 8 }
        guard g.strideH == 1, g.strideW == 1, !g.columnsAreImage,
              vectors(g.outHeight * pw) * 20 <= vectors(g.outPixels) * 23 else { return nil }
        self.g = g
        paddedWidth = pw
        paddedHeight = g.paddedHeight
        let plane = paddedHeight * pw
        tapOffsets = (0..<g.channels).flatMap { c in
            (0..<g.kernelH).flatMap { ky in (0..<g.kernelW).map { kx in c * plane + ky * pw + kx } }
        }
    }

    /// Columns of the matrix (outputs in the padded-width layout).
    var pixels: Int { g.outHeight * paddedWidth }
    /// Floats of the padded image, with slack for the rows that run past its end: kw − 1 for a
    /// row's whole length, a tile's width for `Gemm.multiplyGathered`'s reads.
    var paddedCount: Int { g.channels * paddedHeight * paddedWidth + g.kernelW + Gemm.gatheredReadSlack }

    /// image → padded (scratch of `paddedCount`), zeros around and in the slack. Writes each
    /// float once: the padding around each row, then the row.
    func pad(_ image: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>) {
        let (top, left, bottom) = (g.padding.top, g.padding.left, g.padding.bottom), right = paddedWidth - left - g.width
        let gapStore = right + left <= 8 && paddedWidth >= 8
        var out = padded
        for c in 0..<g.channels {
            out.update(repeating: 0, count: top * paddedWidth + left)
            out += top * paddedWidth + left
            for y in 0..<g.height {
                copyFloats(from: image + (c * g.height + y) * g.width, to: out, count: g.width)
                guard y + 1 < g.height else { (out + g.width).update(repeating: 0, count: right); out += g.width + right; break }
                // The right padding of this row and the left of the next are adjacent: one
                // 8-float store of zeros when they fit in it (what it writes of the next row,
                // that row's copy overwrites).
                if gapStore { SIMD8<Float>().store(to: out + g.width) } else { (out + g.width).update(repeating: 0, count: right + left) }
                out += paddedWidth
            }
            out.update(repeating: 0, count: bottom * paddedWidth)
            out += bottom * paddedWidth
        }
        out.update(repeating: 0, count: padded + paddedCount - out)
    }

    /// out (rows × pixels, this layout) = weights (rows × taps.count) · rows `taps` of the
    /// column matrix of the padded image, read in place (a group's taps, or all of them).
    func product(_ weights: UnsafePointer<Float>, rows: Int, taps: Range<Int>, padded: UnsafePointer<Float>, beta: Float,
                 into out: UnsafeMutablePointer<Float>) {
        tapOffsets.withUnsafeBufferPointer { offsets in
            Gemm.multiplyGathered(m: rows, n: pixels, k: taps.count, a: weights, lda: taps.count,
                                  b: padded, bRows: offsets.baseAddress! + taps.lowerBound, beta: beta, c: out, ldc: pixels)
        }
    }

    /// grad (rows × taps.count) += dy (rows × pixels, this layout, rows `rowStride` apart) · rows
    /// `taps` of the column matrix, read in place: the weight gradient of a group's taps, or of all of them.
    func weightGradient(_ dy: UnsafePointer<Float>, rowStride: Int, rows: Int, taps: Range<Int>, padded: UnsafePointer<Float>,
                        into grad: UnsafeMutablePointer<Float>) {
        tapOffsets.withUnsafeBufferPointer { offsets in
            Gemm.multiplyGatheredTransposed(m: rows, n: taps.count, k: pixels, a: dy, lda: rowStride, b: padded,
                                            bRows: offsets.baseAddress! + taps.lowerBound, beta: 1, c: grad, ldc: taps.count)
        }
    }

    /// `rows` rows of outputs in this layout → the plain outHeight × outWidth planes.
    func extract(_ wide: UnsafePointer<Float>, rows: Int, into out: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            for y in 0..<g.outHeight {
                copyFloats(from: wide + r * pixels + y * paddedWidth, to: out + (r * g.outHeight + y) * g.outWidth, count: g.outWidth)
            }
        }
    }

    /// `rows` plain planes → this layout, zeros in the dropped columns.
    func widen(_ planes: UnsafePointer<Float>, rows: Int, into wide: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            for y in 0..<g.outHeight {
                let line = wide + r * pixels + y * paddedWidth
                copyFloats(from: planes + (r * g.outHeight + y) * g.outWidth, to: line, count: g.outWidth)
                (line + g.outWidth).update(repeating: 0, count: paddedWidth - g.outWidth)
            }
        }
    }
}
