/// `Im2col.unfold` for stride 1 with rows of at least 8 outputs and padding of at most 8
/// columns a side (3 × 3 convolutions with padding 1 and the like): each line of the column
/// matrix is the image line shifted by kx − left, so it is written as whole 8-float vectors
/// (the last one overlapping the one before it) after zeroing the first and last 8 floats of
/// the line; the copy then overwrites whatever of those is inside the image. No scalar loop
/// and no branch per element. Writes the same values as the general path.
extension Im2col {
    static func unfoldsByLines(_ g: ConvGeometry) -> Bool {
        g.strideH == 1 && g.strideW == 1 && g.outWidth >= 8 && g.padding.left <= 8 && g.padding.right <= 8
    }

    static func unfoldLines(_ g: ConvGeometry, image: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>) {
        let ow = g.outWidth, oh = g.outHeight, zero = SIMD8<Float>()
        var row = columns
        for c in 0..<g.channels {
            let plane = image + c * g.height * g.width
            for ky in 0..<g.kernelH {
                for kx in 0..<g.kernelW {
                    // Outputs lower..<upper read image columns ox + kx − left inside 0..<width.
                    let shift = kx - g.padding.left
                    let lower = max(0, -shift), upper = min(ow, g.width - shift)
                    for oy in 0..<oh {
                        let line = row + oy * ow, iy = oy + ky - g.padding.top
                        zero.store(to: line)
                        zero.store(to: line + ow - 8)
                        guard iy >= 0 && iy < g.height else {
                            var i = 8
                            while i < ow - 8 { zero.store(to: line + i); i &+= 8 }
                            continue
                        }
                        copyFloats(from: plane + iy * g.width + lower + shift, to: line + lower, count: upper - lower)
                    }
                    row += oh * ow
                }
            }
        }
    }}
