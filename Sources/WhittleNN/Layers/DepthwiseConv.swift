import WhittleTensor

/// Direct kernels for a depthwise convolution (groups == in == out channels): each channel's
/// plane is convolved with its own kh × kw filter. The generic path unfolds every plane and
/// runs one GEMM with a single output row per channel, which spends its time on the unfolding
/// and the call; these loops read the plane in place.
///
/// Along an output row, the outputs whose tap (kernel column kx) lies inside the input are one
/// contiguous run (`DepthwiseConv.Span`), so the inner loops have no bounds tests and, for
/// stride 1, run 8 floats at a time. Each output is bias + Σ over (ky, kx) in row-major order
/// of the taps that are inside: a fixed order, so results are the same on any core count.
enum DepthwiseConv {
    /// Outputs `lower..<upper` of a row whose tap o · stride + offset is inside 0..<extent.
    struct Span {
        let lower: Int, upper: Int

        init(offset: Int, stride: Int, extent: Int, count: Int) {
            func first(reaching bound: Int) -> Int {
                offset >= bound ? 0 : (bound - offset + stride - 1) / stride
            }
            lower = min(first(reaching: 0), count)
            upper = max(lower, min(first(reaching: extent), count))
        }
    }

    /// One plane: out[oy, ox] = bias + Σ w[ky, kx] · plane[oy·sh + ky − ph, ox·sw + kx − pw].
    static func forward(_ g: ConvGeometry, plane: UnsafePointer<Float>, filter: UnsafePointer<Float>, bias: Float,
                        out: UnsafeMutablePointer<Float>) {
        let ow = g.outWidth
        let columns = (0..<g.kernelW).map { Span(offset: $0 - g.padW, stride: g.strideW, extent: g.width, count: ow) }
        for oy in 0..<g.outHeight {
            let row = out + oy * ow
            row.update(repeating: bias, count: ow)
            for ky in 0..<g.kernelH {
                let iy = oy * g.strideH + ky - g.padH
                guard iy >= 0 && iy < g.height else { continue }
                let line = plane + iy * g.width
                for kx in 0..<g.kernelW {
                    let s = columns[kx]
                    guard s.lower < s.upper else { continue }
                    // line[ox·sw + kx − pw] for ox in the span.
                    axpy(filter[ky * g.kernelW + kx], line + (s.lower * g.strideW + kx - g.padW), stride: g.strideW,
                         into: row + s.lower, count: s.upper - s.lower)
                }
            }
        }
    }

    /// One plane's backward: filterGrad[ky, kx] += Σ dy · tap (in output order), and, when
    /// `inputGrad` is given, inputGrad[tap] += w · dy (which must start zeroed). Returns Σ dy.
    static func backward(_ g: ConvGeometry, plane: UnsafePointer<Float>, filter: UnsafePointer<Float>,
                         gradOut: UnsafePointer<Float>, filterGrad: UnsafeMutablePointer<Float>,
                         inputGrad: UnsafeMutablePointer<Float>?) -> Float {
        let ow = g.outWidth
        let columns = (0..<g.kernelW).map { Span(offset: $0 - g.padW, stride: g.strideW, extent: g.width, count: ow) }
        var biasGrad: Float = 0
        for oy in 0..<g.outHeight {
            let dy = gradOut + oy * ow
            biasGrad += sum(dy, count: ow)
            for ky in 0..<g.kernelH {
                let iy = oy * g.strideH + ky - g.padH
                guard iy >= 0 && iy < g.height else { continue }
                for kx in 0..<g.kernelW {
                    let s = columns[kx]
                    guard s.lower < s.upper else { continue }
                    let start = iy * g.width + s.lower * g.strideW + kx - g.padW, n = s.upper - s.lower
                    filterGrad[ky * g.kernelW + kx] += dot(dy + s.lower, plane + start, stride: g.strideW, count: n)
                    if let inputGrad {
                        scatter(filter[ky * g.kernelW + kx], dy + s.lower, into: inputGrad + start, stride: g.strideW, count: n)
                    }
                }
            }
        }
        return biasGrad
    }

    /// y[i] += a · x[i · stride].
    @inline(__always)
    private static func axpy(_ a: Float, _ x: UnsafePointer<Float>, stride: Int, into y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        if stride == 1 {
            let av = SIMD8(repeating: a)
            while i &+ 8 <= count { (SIMD8(unalignedAt: y + i) + av * SIMD8(unalignedAt: x + i)).store(to: y + i); i &+= 8 }
        }
        while i < count { y[i] += a * x[i &* stride]; i &+= 1 }
    }

    /// x[i · stride] += a · d[i].
    @inline(__always)
    private static func scatter(_ a: Float, _ d: UnsafePointer<Float>, into x: UnsafeMutablePointer<Float>, stride: Int, count: Int) {
        var i = 0
        if stride == 1 {
            let av = SIMD8(repeating: a)
            while i &+ 8 <= count { (SIMD8(unalignedAt: x + i) + av * SIMD8(unalignedAt: d + i)).store(to: x + i); i &+= 8 }
        }
        while i < count { x[i &* stride] += a * d[i]; i &+= 1 }
    }

    /// Σ d[i] · x[i · stride].
    @inline(__always)
    private static func dot(_ d: UnsafePointer<Float>, _ x: UnsafePointer<Float>, stride: Int, count: Int) -> Float {
        var i = 0, acc = SIMD8<Float>()
        if stride == 1 {
            while i &+ 8 <= count { acc.addProduct(SIMD8(unalignedAt: d + i), SIMD8(unalignedAt: x + i)); i &+= 8 }
        }
        var s = acc.sum()
        while i < count { s += d[i] * x[i &* stride]; i &+= 1 }
        return s
    }

    @inline(__always)
    private static func sum(_ d: UnsafePointer<Float>, count: Int) -> Float {
        var i = 0, acc = SIMD8<Float>()
        while i &+ 8 <= count { acc += SIMD8(unalignedAt: d + i); i &+= 8 }
        var s = acc.sum()
        while i < count { s += d[i]; i &+= 1 }
        return s
    }
}

extension Conv2d {
    /// Planes (image, channel) in parallel; the input is kept for backward.
    func depthwiseForward(_ x: Tensor, mode: Mode) -> Tensor {
        let n = x.shape[0], g = geometry(height: x.shape[2], width: x.shape[3])
        let inPlane = g.height * g.width, outPlane = g.outPixels, taps = kernel.h * kernel.w, channels = outChannels
        var y = Tensor(uninitializedShape: [n, channels, g.outHeight, g.outWidth])
        let biasValues = bias?.value.storage ?? [Float](repeating: 0, count: channels)
        x.withUnsafePointer { xp in weight.value.withUnsafePointer { wp in y.withUnsafeMutablePointer { yp in
            Parallel.forEachChunk(n * channels) { planes in
                for p in planes {
                    let c = p % channels
                    DepthwiseConv.forward(g, plane: xp + p * inPlane, filter: wp + c * taps, bias: biasValues[c], out: yp + p * outPlane)
                }
            }
        }}}
        input = mode == .train ? x : Tensor(shape: [0])
        return y
    }

    /// Channels in parallel, each over the images in order, so each filter's gradient is
    /// summed in one fixed order without partial buffers.
    func depthwiseBackward(_ gradOutput: Tensor) -> Tensor {
        let shape = input.shape, n = shape[0], g = geometry(height: shape[2], width: shape[3])
        let inPlane = g.height * g.width, outPlane = g.outPixels, taps = kernel.h * kernel.w, channels = outChannels
        var dx = Tensor(shape: needsInputGradient ? shape : [0])
        var filterGrad = [Float](repeating: 0, count: channels * taps), biasGrad = [Float](repeating: 0, count: channels)
        let wantInput = needsInputGradient
        gradOutput.withUnsafePointer { gp in input.withUnsafePointer { xp in weight.value.withUnsafePointer { wp in
            dx.withUnsafeMutablePointer { dxp in filterGrad.withUnsafeMutableBufferPointer { fg in biasGrad.withUnsafeMutableBufferPointer { bg in
                Parallel.forEachChunk(channels) { range in
                    for c in range {
                        var b: Float = 0
                        for i in 0..<n {
                            let p = i * channels + c
                            b += DepthwiseConv.backward(g, plane: xp + p * inPlane, filter: wp + c * taps, gradOut: gp + p * outPlane,
                                                        filterGrad: fg.baseAddress! + c * taps, inputGrad: wantInput ? dxp + p * inPlane : nil)
                        }
                        bg[c] = b
                    }
                }
            }}}
        }}}
        for j in 0..<channels * taps { weight.grad.storage[j] += filterGrad[j] }
        if let b = bias { for c in 0..<channels { b.grad.storage[c] += biasGrad[c] } }
        return dx
    }
}

extension ConvGeometry {
    /// A 1×1 kernel, stride 1, no padding: the column matrix is the image itself.
    var columnsAreImage: Bool { kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0 }
}
