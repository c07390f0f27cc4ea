/// Geometry of one 2-D convolution or pooling window over a single image.
public struct ConvGeometry: Equatable, Sendable {
    public var channels, height, width: Int
    public var kernelH, kernelW: Int
    public var strideH, strideW: Int
    public var padH, padW: Int

    public init(channels: Int, height: Int, width: Int, kernelH: Int, kernelW: Int,
                strideH: Int = 1, strideW: Int = 1, padH: Int = 0, padW: Int = 0) {
        self.channels = channels; self.height = height; self.width = width
        self.kernelH = kernelH; self.kernelW = kernelW
        self.strideH = strideH; self.strideW = strideW
        self.padH = padH; self.padW = padW
    }

    public var outHeight: Int { (height + 2 * padH - kernelH) / strideH + 1 }
    public var outWidth: Int { (width + 2 * padW - kernelW) / strideW + 1 }
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
public enum Im2col {
    public static func unfold(_ g: ConvGeometry, image: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>) {
        let oh = g.outHeight, ow = g.outWidth
        var row = 0
        for c in 0..<g.channels {
            let plane = image + c * g.height * g.width
            for ky in 0..<g.kernelH {
                for kx in 0..<g.kernelW {
                    let dst = columns + row * oh * ow
                    for oy in 0..<oh {
                        let iy = oy * g.strideH - g.padH + ky
                        let out = dst + oy * ow
                        if iy < 0 || iy >= g.height {
                            for ox in 0..<ow { out[ox] = 0 }
                            continue
                        }
                        let src = plane + iy * g.width
                        for ox in 0..<ow {
                            let ix = ox * g.strideW - g.padW + kx
                            out[ox] = (ix >= 0 && ix < g.width) ? src[ix] : 0
                        }
                    }
                    row += 1
                }
            }
        }
    }

    /// Adds each column entry back onto the image position it was read from (the adjoint of
    /// `unfold`). The image must be zeroed (or hold values to accumulate onto) beforehand.
    public static func fold(_ g: ConvGeometry, columns: UnsafePointer<Float>, image: UnsafeMutablePointer<Float>) {
        let oh = g.outHeight, ow = g.outWidth
        var row = 0
        for c in 0..<g.channels {
            let plane = image + c * g.height * g.width
            for ky in 0..<g.kernelH {
                for kx in 0..<g.kernelW {
                    let src = columns + row * oh * ow
                    for oy in 0..<oh {
                        let iy = oy * g.strideH - g.padH + ky
                        if iy < 0 || iy >= g.height { continue }
                        let dst = plane + iy * g.width
                        let col = src + oy * ow
                        for ox in 0..<ow {
                            let ix = ox * g.strideW - g.padW + kx
                            if ix >= 0 && ix < g.width { dst[ix] += col[ox] }
                        }
                    }
                    row += 1
                }
            }
        }
    }
}
