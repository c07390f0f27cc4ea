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
/// Used where the extra columns cost little: stride 1 with a padded width at most 15 % above
/// the output width (3×3 with padding 1 on 14×14 and larger planes).
struct WideColumns {
    let g: ConvGeometry
    let paddedWidth: Int, paddedHeight: Int

    init?(_ g: ConvGeometry) {
        let pw = g.paddedWidth
        guard g.strideH == 1, g.strideW == 1, !g.columnsAreImage, pw * 20 <= g.outWidth * 23 else { return nil }
        self.g = g
        paddedWidth = pw
        paddedHeight = g.paddedHeight
    }

    /// Columns of the matrix (outputs in the padded-width layout).
    var pixels: Int { g.outHeight * paddedWidth }
    /// Floats of the padded image, with kw − 1 of slack that the last row's run reads past.
    var paddedCount: Int { g.channels * paddedHeight * paddedWidth + g.kernelW }
    var columnCount: Int { g.patchSize * pixels }

    /// image → padded (scratch of `paddedCount`) → columns (`columnCount`).
    func unfold(_ image: UnsafePointer<Float>, padded: UnsafeMutablePointer<Float>, columns: UnsafeMutablePointer<Float>) {
        padded.update(repeating: 0, count: paddedCount)
        for c in 0..<g.channels {
            let plane = padded + c * paddedHeight * paddedWidth + g.padding.top * paddedWidth + g.padding.left
            for y in 0..<g.height { (plane + y * paddedWidth).update(from: image + (c * g.height + y) * g.width, count: g.width) }
        }
        var row = columns
        for c in 0..<g.channels {
            for ky in 0..<g.kernelH {
                for kx in 0..<g.kernelW {
                    row.update(from: padded + c * paddedHeight * paddedWidth + ky * paddedWidth + kx, count: pixels)
                    row += pixels
                }
            }
        }
    }

    /// `rows` rows of outputs in this layout → the plain outHeight × outWidth planes.
    func extract(_ wide: UnsafePointer<Float>, rows: Int, into out: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            for y in 0..<g.outHeight {
                (out + (r * g.outHeight + y) * g.outWidth).update(from: wide + r * pixels + y * paddedWidth, count: g.outWidth)
            }
        }
    }

    /// `rows` plain planes → this layout, zeros in the dropped columns.
    func widen(_ planes: UnsafePointer<Float>, rows: Int, into wide: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            for y in 0..<g.outHeight {
                let line = wide + r * pixels + y * paddedWidth
                line.update(from: planes + (r * g.outHeight + y) * g.outWidth, count: g.outWidth)
                (line + g.outWidth).update(repeating: 0, count: paddedWidth - g.outWidth)
            }
        }
    }
}
