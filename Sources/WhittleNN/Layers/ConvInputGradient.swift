import WhittleTensor

/// The input gradient of a stride-1 convolution computed as a convolution of the output
/// gradient: dx[c, y, x] = Σ_o,ky,kx W[o, c, ky, kx] · dy[o, y + top − ky, x + left − kx], which
/// is dy, padded by kh − 1 minus each side's padding, correlated with the filters flipped in both axes
/// and with in and out channels swapped.
///
/// The generic backward multiplies Wᵀ (patch × out) by dy into a patch-sized column matrix
/// and folds it back: a product with k = out channels only (16 in ResNet-8's first stage), and
/// a fold that adds every column entry back onto the image. This way the product has
/// k = out · kh · kw, like the forward one, and lands in the input gradient directly.
struct ConvInputGradient {
    /// The correlation over dy: channels = out channels, dy's height and width, stride 1.
    let geometry: ConvGeometry
    /// [in channels × out · kh · kw]: row c holds W[o, c, kh − 1 − ky, kw − 1 − kx] at (o, ky, kx).
    let flippedWeights: [Float]
    let inChannels: Int
    /// The padded-width layout for dy's columns, where it pays (see WideColumns).
    let wide: WideColumns?

    /// nil unless the convolution has stride 1, one group, and padding below the kernel size
    /// (so the flipped padding is not negative).
    init?(_ conv: Conv2d, _ g: ConvGeometry) {
        let (kh, kw) = (g.kernelH, g.kernelW)
        guard conv.groups == 1, g.strideH == 1, g.strideW == 1, max(g.padding.top, g.padding.bottom) < kh, max(g.padding.left, g.padding.right) < kw else { return nil }
        geometry = ConvGeometry(channels: conv.outChannels, height: g.outHeight, width: g.outWidth, kernelH: kh, kernelW: kw,
                                padding: Padding2D(top: kh - 1 - g.padding.top, left: kw - 1 - g.padding.left,
                                                   bottom: kh - 1 - g.padding.bottom, right: kw - 1 - g.padding.right))
        inChannels = conv.inChannels
        let outChannels = conv.outChannels, w = conv.weight.value.storage, taps = kh * kw
        var flipped = [Float](repeating: 0, count: inChannels * outChannels * taps)
        for c in 0..<inChannels { for o in 0..<outChannels { for t in 0..<taps {
            flipped[(c * outChannels + o) * taps + t] = w[(o * inChannels + c) * taps + (taps - 1 - t)]
        }}}
        flippedWeights = flipped
        wide = WideColumns(geometry)
    }

    /// Floats of scratch for one image: dy's column matrix, or, padded-width, the padded dy
    /// (read in place) and the product before its extra columns are dropped.
    var scratchCount: Int {
        wide.map { $0.paddedCount + inChannels * $0.pixels } ?? geometry.patchSize * geometry.outPixels
    }

    /// One image: dx (in × height × width) = flipped · unfold(dy), overwriting dx.
    func inputGradient(_ dy: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
        guard let wide else {
            flippedWeights.withUnsafeBufferPointer { w in
                Im2col.unfold(geometry, image: dy, columns: scratch)
                Gemm.multiply(m: inChannels, n: geometry.outPixels, k: geometry.patchSize, a: w.baseAddress!, lda: geometry.patchSize,
                              b: scratch, ldb: geometry.outPixels, beta: 0, c: dx, ldc: geometry.outPixels)
            }
            return
        }
        wide.pad(dy, into: scratch)
        inputGradient(paddedAt: scratch, wide, into: dx)
    }

    /// The padded-width case after `WideColumns.pad` has put dy into `scratch`.
    func inputGradient(paddedAt scratch: UnsafeMutablePointer<Float>, _ wide: WideColumns, into dx: UnsafeMutablePointer<Float>) {
        flippedWeights.withUnsafeBufferPointer { w in
            let wideOut = scratch + wide.paddedCount
            wide.product(w.baseAddress!, rows: inChannels, taps: 0..<geometry.patchSize, padded: scratch, beta: 0, into: wideOut)
            wide.extract(wideOut, rows: inChannels, into: dx)
        }
    }

    /// Where dy, as padded here, already is in the forward convolution's padded-width layout
    /// (`forward.widen`'s rows of paddedWidth, zeros past outWidth), so the weight gradient can
    /// read it in place: when both pad to the same width (left + right = kw − 1, "same"
    /// padding), output row y of channel o starts at `offset` + o · `channelStride` + y · paddedWidth,
    /// and what follows it up to the next row is the zero padding around dy.
    func widenedGradient(matching forward: WideColumns) -> (offset: Int, channelStride: Int)? {
        guard let wide, wide.paddedWidth == forward.paddedWidth, wide.g.height == forward.g.outHeight else { return nil }
        return (geometry.padding.top * wide.paddedWidth + geometry.padding.left, wide.paddedHeight * wide.paddedWidth)
    }
}
