import WhittleTensor

/// Direct kernels for a depthwise convolution (groups == in == out channels): each channel's
/// plane is convolved with its own kh × kw filter. The generic path unfolds every plane and
/// runs one GEMM with a single output row per channel, which spends its time on the unfolding
/// and the call; these loops read the plane in place.
///
/// Stride 1 (`DepthwiseConv.Padded`): the plane is copied zero-padded and each tap is one long
/// vector loop over the whole plane. Other strides: along an output row, the outputs whose
/// tap (kernel column kx) lies inside the input are one contiguous run (`DepthwiseConv.Span`),
/// so the inner loops have no bounds tests. Each output is bias + Σ over (ky, kx) in
/// row-major order: a fixed order, so results are the same on any core count.
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

    /// For each kernel column kx, the span of output columns whose tap is inside.
    static func columnSpans(_ g: ConvGeometry) -> [Span] {
        (0..<g.kernelW).map { Span(offset: $0 - g.padding.left, stride: g.strideW, extent: g.width, count: g.outWidth) }
    }

    /// One plane: out[oy, ox] = bias + Σ w[ky, kx] · plane[oy·sh + ky − top, ox·sw + kx − left].
    static func forward(_ g: ConvGeometry, columns: [Span], plane: UnsafePointer<Float>, filter: UnsafePointer<Float>, bias: Float,
                        out: UnsafeMutablePointer<Float>) {
        let ow = g.outWidth
        for oy in 0..<g.outHeight {
            let row = out + oy * ow
            row.update(repeating: bias, count: ow)
            for ky in 0..<g.kernelH {
                let iy = oy * g.strideH + ky - g.padding.top
                guard iy >= 0 && iy < g.height else { continue }
                let line = plane + iy * g.width
                for kx in 0..<g.kernelW {
                    let s = columns[kx]
                    guard s.lower < s.upper else { continue }
                    // line[ox·sw + kx − left] for ox in the span.
                    axpy(filter[ky * g.kernelW + kx], line + (s.lower * g.strideW + kx - g.padding.left), stride: g.strideW,
                         into: row + s.lower, count: s.upper - s.lower)
                }
            }
        }
    }

    /// One plane's backward: filterGrad[ky, kx] += Σ dy · tap (in output order), and, when
    /// `inputGrad` is given, inputGrad[tap] += w · dy (which must start zeroed). Returns Σ dy.
    static func backward(_ g: ConvGeometry, columns: [Span], plane: UnsafePointer<Float>, filter: UnsafePointer<Float>,
                         gradOut: UnsafePointer<Float>, filterGrad: UnsafeMutablePointer<Float>,
                         inputGrad: UnsafeMutablePointer<Float>?) -> Float {
        let ow = g.outWidth
        var biasGrad: Float = 0
        for oy in 0..<g.outHeight {
            let dy = gradOut + oy * ow
            biasGrad += Elementwise.sum(dy, count: ow)
            for ky in 0..<g.kernelH {
                let iy = oy * g.strideH + ky - g.padding.top
                guard iy >= 0 && iy < g.height else { continue }
                for kx in 0..<g.kernelW {
                    let s = columns[kx]
                    guard s.lower < s.upper else { continue }
                    let start = iy * g.width + s.lower * g.strideW + kx - g.padding.left, n = s.upper - s.lower
                    filterGrad[ky * g.kernelW + kx] += dot(dy + s.lower, plane + start, stride: g.strideW, count: n)
                    if let inputGrad {
                        scatter(filter[ky * g.kernelW + kx], dy + s.lower, into: inputGrad + start, stride: g.strideW, count: n)
                    }
                }
            }
        }
        return biasGrad
    }

    /// Stride 1: the plane zero-padded into rows of `paddedWidth` = width + left + right (plus kw − 1
    /// floats of slack), so output q = oy · paddedWidth + ox of the padded-width layout is
    /// Σ w[ky, kx] · padded[q + ky · paddedWidth + kx] over every q at once: kh · kw long
    /// vector loops. The kw − 1 columns past each output row are computed and dropped.
    struct Padded {
        let g: ConvGeometry
        var paddedWidth: Int { g.paddedWidth }
        /// Floats of the padded plane (and of the padded-width output, which is shorter).
        var count: Int { g.paddedHeight * paddedWidth + g.kernelW }
        var outputCount: Int { g.outHeight * paddedWidth }

        static func applies(_ g: ConvGeometry) -> Bool { g.strideH == 1 && g.strideW == 1 }

        func pad(_ plane: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>) {
            padded.update(repeating: 0, count: count)
            for y in 0..<g.height {
                (padded + (y + g.padding.top) * paddedWidth + g.padding.left).update(from: plane + y * g.width, count: g.width)
            }
        }

        /// out (padded-width layout) = bias + Σ w · shifted padded plane.
        func forward(padded: UnsafePointer<Float>, filter: UnsafePointer<Float>, bias: Float, out: UnsafeMutablePointer<Float>) {
            let n = outputCount
            out.update(repeating: bias, count: n)
            for ky in 0..<g.kernelH { for kx in 0..<g.kernelW {
                axpy(filter[ky * g.kernelW + kx], padded + ky * paddedWidth + kx, stride: 1, into: out, count: n)
            }}
        }

        /// The valid columns of a padded-width output into a plane of outWidth rows.
        func extract(_ wide: UnsafePointer<Float>, into plane: UnsafeMutablePointer<Float>) {
            for y in 0..<g.outHeight { (plane + y * g.outWidth).update(from: wide + y * paddedWidth, count: g.outWidth) }
        }

        /// dy into the padded-width layout, zeros in the dropped columns.
        func widen(_ plane: UnsafePointer<Float>, into wide: UnsafeMutablePointer<Float>) {
            wide.update(repeating: 0, count: outputCount)
            for y in 0..<g.outHeight { (wide + y * paddedWidth).update(from: plane + y * g.outWidth, count: g.outWidth) }
        }

        /// filterGrad[ky, kx] += Σ dy · padded shifted; paddedGrad (zeroed by the caller) +=
        /// w · dy shifted, when given.
        func backward(padded: UnsafePointer<Float>, wideGrad: UnsafePointer<Float>, filter: UnsafePointer<Float>,
                      filterGrad: UnsafeMutablePointer<Float>, paddedGrad: UnsafeMutablePointer<Float>?) {
            let n = outputCount
            for ky in 0..<g.kernelH { for kx in 0..<g.kernelW {
                let shift = ky * paddedWidth + kx, tap = ky * g.kernelW + kx
                filterGrad[tap] += dot(wideGrad, padded + shift, stride: 1, count: n)
                if let paddedGrad { scatter(filter[tap], wideGrad, into: paddedGrad + shift, stride: 1, count: n) }
            }}
        }

        /// The inside of a padded plane's gradient added onto the input gradient plane.
        func unpad(_ padded: UnsafePointer<Float>, onto plane: UnsafeMutablePointer<Float>) {
            for y in 0..<g.height {
                (plane + y * g.width).update(from: padded + (y + g.padding.top) * paddedWidth + g.padding.left, count: g.width)
            }
        }
    }

    /// y[i] += a · x[i · stride].
    @inline(__always)
    static func axpy(_ a: Float, _ x: UnsafePointer<Float>, stride: Int, into y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        if stride == 1 {
            let av = SIMD8(repeating: a)
            while i &+ 8 <= count { (SIMD8(unalignedAt: y + i) + av * SIMD8(unalignedAt: x + i)).store(to: y + i); i &+= 8 }
        }
        while i < count { y[i] += a * x[i &* stride]; i &+= 1 }
    }

    /// x[i · stride] += a · d[i].
    @inline(__always)
    static func scatter(_ a: Float, _ d: UnsafePointer<Float>, into x: UnsafeMutablePointer<Float>, stride: Int, count: Int) {
        var i = 0
        if stride == 1 {
            let av = SIMD8(repeating: a)
            while i &+ 8 <= count { (SIMD8(unalignedAt: x + i) + av * SIMD8(unalignedAt: d + i)).store(to: x + i); i &+= 8 }
        }
        while i < count { x[i &* stride] += a * d[i]; i &+= 1 }
    }

    /// Σ d[i] · x[i · stride].
    @inline(__always)
    static func dot(_ d: UnsafePointer<Float>, _ x: UnsafePointer<Float>, stride: Int, count: Int) -> Float {
        var i = 0, acc = SIMD8<Float>()
        if stride == 1 {
            while i &+ 8 <= count { acc.addProduct(SIMD8(unalignedAt: d + i), SIMD8(unalignedAt: x + i)); i &+= 8 }
        }
        var s = acc.sum()
        while i < count { s += d[i] * x[i &* stride]; i &+= 1 }
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
        let columns = DepthwiseConv.columnSpans(g), padded = DepthwiseConv.Padded(g: g)
        x.withUnsafePointer { xp in weight.value.withUnsafePointer { wp in y.withUnsafeMutablePointer { yp in
            Parallel.forEachChunk(n * channels) { planes in
                guard DepthwiseConv.Padded.applies(g) else {
                    for p in planes {
                        let c = p % channels
                        DepthwiseConv.forward(g, columns: columns, plane: xp + p * inPlane, filter: wp + c * taps, bias: biasValues[c],
                                              out: yp + p * outPlane)
                    }
                    return
                }
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: padded.count + padded.outputCount)
                defer { scratch.deallocate() }
                let wide = scratch + padded.count
                for p in planes {
                    let c = p % channels
                    padded.pad(xp + p * inPlane, into: scratch)
                    padded.forward(padded: scratch, filter: wp + c * taps, bias: biasValues[c], out: wide)
                    padded.extract(wide, into: yp + p * outPlane)
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
        let wantInput = needsInputGradient
        var dx = Tensor(shape: needsInputGradient ? shape : [0])
        var filterGrad = [Float](repeating: 0, count: channels * taps), biasGrad = [Float](repeating: 0, count: channels)
        let columns = DepthwiseConv.columnSpans(g), padded = DepthwiseConv.Padded(g: g)
        gradOutput.withUnsafePointer { gp in input.withUnsafePointer { xp in weight.value.withUnsafePointer { wp in
            dx.withUnsafeMutablePointer { dxp in filterGrad.withUnsafeMutableBufferPointer { fg in biasGrad.withUnsafeMutableBufferPointer { bg in
                Parallel.forEachChunk(channels) { range in
                    let usePadded = DepthwiseConv.Padded.applies(g)
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: usePadded ? 2 * padded.count + padded.outputCount : 0)
                    defer { scratch.deallocate() }
                    let paddedInput = scratch, paddedGrad = scratch + padded.count, wideGrad = scratch + 2 * padded.count
                    for c in range {
                        var b: Float = 0
                        let filter = wp + c * taps, grad = fg.baseAddress! + c * taps
                        for i in 0..<n {
                            let p = i * channels + c
                            guard usePadded else {
                                b += DepthwiseConv.backward(g, columns: columns, plane: xp + p * inPlane, filter: filter, gradOut: gp + p * outPlane,
                                                            filterGrad: grad, inputGrad: wantInput ? dxp + p * inPlane : nil)
                                continue
                            }
                            b += Elementwise.sum(gp + p * outPlane, count: outPlane)
                            padded.pad(xp + p * inPlane, into: paddedInput)
                            padded.widen(gp + p * outPlane, into: wideGrad)
                            if wantInput { paddedGrad.update(repeating: 0, count: padded.count) }
                            padded.backward(padded: paddedInput, wideGrad: wideGrad, filter: filter, filterGrad: grad,
                                            paddedGrad: wantInput ? paddedGrad : nil)
                            if wantInput { padded.unpad(paddedGrad, onto: dxp + p * inPlane) }
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
    var columnsAreImage: Bool { kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padding == .zero }
}
