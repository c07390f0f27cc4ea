import WhittleTensor

/// 2-D convolution over NCHW input, weight [out, in/groups, kh, kw] as in PyTorch.
/// `groups == in == out` is a depthwise convolution. Padding may differ per side (TensorFlow's
/// "same" puts the odd row and column at the bottom and right).
///
/// Each image is multiplied per group by its column matrix; images run in parallel. Where the
/// padded-width layout pays (`WideColumns`, stride 1) the products read the columns in place
/// from the padded image; elsewhere the image is unfolded (im2col). Backward pads or unfolds
/// each image again rather than keeping the batch's: one image's copy stays in cache between
/// the copy and the product, the batch's column matrices (29 MB for a 3×3 conv of 16 channels
/// on 28×28 at batch 64) would go to memory and back. A 1×1 kernel with stride 1 and no
/// padding multiplies the image itself (its column matrix).
/// Depthwise convolutions take the direct kernels of `DepthwiseConv` (DepthwiseConv.swift).
public final class Conv2d: LayerBase, Layer {
    public let inChannels, outChannels, groups: Int
    public let kernel: (h: Int, w: Int), stride: (h: Int, w: Int)
    public let padding: Padding2D
    public let weight: Parameter
    public let bias: Parameter?

    private var inputShape: [Int] = []
    /// The training input, for backward.
    var input = Tensor(shape: [0])
    /// Depthwise convolutions take the direct kernels (false: the generic grouped GEMMs, which
    /// the tests compare them with).
    public var usesDepthwiseKernel = true
    var isDepthwise: Bool { usesDepthwiseKernel && groups > 1 && groups == inChannels && groups == outChannels }

    public init(inChannels: Int, outChannels: Int, kernel: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: Padding2D = .zero, groups: Int = 1, bias: Bool = true, rng: inout RNG) {
        self.inChannels = inChannels; self.outChannels = outChannels; self.groups = groups
        self.kernel = (kernel.0, kernel.1); self.stride = (stride.0, stride.1); self.padding = padding
        let fanIn = inChannels / groups * kernel.0 * kernel.1
        weight = Parameter(Initialization.uniformFanIn(
            shape: [outChannels, inChannels / groups, kernel.0, kernel.1], fanIn: fanIn, rng: &rng))
        self.bias = bias ? Parameter(Initialization.uniformFanIn(shape: [outChannels], fanIn: fanIn, rng: &rng)) : nil
    }

    public var kind: String { "conv2d" }

    public var parameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    func geometry(height: Int, width: Int) -> ConvGeometry {
        ConvGeometry(channels: inChannels, height: height, width: width, kernelH: kernel.h, kernelW: kernel.w,
                     strideH: stride.h, strideW: stride.w, padding: padding)
    }

    public func outputShape(for input: [Int]) throws -> [Int] {
        guard input.count == 3 else { throw ShapeError("expects a [channels, height, width] input, got shape \(input)") }
        guard input[0] == inChannels else { throw ShapeError("expects \(inChannels) input channels, got \(input[0])") }
        let g = geometry(height: input[1], width: input[2])
        guard g.windowFits else {
            throw ShapeError("kernel \(kernel.h)×\(kernel.w) does not fit a \(input[1])×\(input[2]) input with padding \(padding)")
        }
        return [outChannels, g.outHeight, g.outWidth]
    }

    public func macs(for input: [Int]) -> Int {
        let g = geometry(height: input[1], width: input[2])
        return outChannels * g.outPixels * (inChannels / groups) * kernel.h * kernel.w
    }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        if isDepthwise { return depthwiseForward(x, mode: mode) }
        let n = x.shape[0], g = geometry(height: x.shape[2], width: x.shape[3])
        let patch = g.patchSize, pixels = g.outPixels, imageSize = inChannels * g.height * g.width
        let groupPatch = patch / groups, groupOut = outChannels / groups
        inputShape = x.shape
        var y = Tensor(uninitializedShape: [n, outChannels, g.outHeight, g.outWidth])
        // One image's columns per chunk (or its padded image, WideColumns); a
        // 1×1 stride-1 unpadded kernel reads the image in place.
        let inPlace = g.columnsAreImage, wide = WideColumns(g)
        let hasBias = bias != nil
        let biasValues = bias?.value.storage ?? []
        x.withUnsafePointer { xp in weight.value.withUnsafePointer { wp in
            y.withUnsafeMutablePointer { yp in
                /// out (outChannels × n) = bias + W · columns (patch × n), group by group; with
                /// `wide`, the columns read in place from the padded image `col`.
                func product(_ col: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, pixels: Int, wide: WideColumns? = nil) {
                    if hasBias {
                        for c in 0..<outChannels { (out + c * pixels).update(repeating: biasValues[c], count: pixels) }
                    }
                    for grp in 0..<groups {
                        let w = wp + grp * groupOut * groupPatch, o = out + grp * groupOut * pixels
                        if let wide {
                            wide.product(w, rows: groupOut, taps: grp * groupPatch..<(grp + 1) * groupPatch, padded: col,
                                         beta: hasBias ? 1 : 0, into: o)
                        } else {
                            Gemm.multiply(m: groupOut, n: pixels, k: groupPatch, a: w, lda: groupPatch,
                                          b: col + grp * groupPatch * pixels, ldb: pixels, beta: hasBias ? 1 : 0, c: o, ldc: pixels)
                        }
                    }
                }
                Parallel.forEachChunk(n) { images in
                    let scratchCount = wide.map { $0.paddedCount + outChannels * $0.pixels } ?? patch * pixels
                    let scratch = inPlace ? nil : UnsafeMutablePointer<Float>.allocate(capacity: scratchCount)
                    defer { scratch?.deallocate() }
                    for i in images {
                        let image = xp + i * imageSize, out = yp + i * outChannels * pixels
                        if let wide, let scratch {
                            let wideOut = scratch + wide.paddedCount
                            wide.pad(image, into: scratch)
                            product(scratch, into: wideOut, pixels: wide.pixels, wide: wide)
                            wide.extract(wideOut, rows: outChannels, into: out)
                        } else {
                            product(Self.columns(g, image: image, scratch: scratch), into: out, pixels: pixels)
                        }
                    }
                }
            }
        }}
        input = mode == .train ? x : Tensor(shape: [0])
        return y
    }

    /// One image's column matrix: unfolded into `scratch`, or the image itself when there is none.
    private static func columns(_ g: ConvGeometry, image: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>?) -> UnsafePointer<Float> {
        guard let scratch else { return image }
        Im2col.unfold(g, image: image, columns: scratch)
        return UnsafePointer(scratch)
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        if isDepthwise { return depthwiseBackward(gradOutput) }
        let n = inputShape[0], g = geometry(height: inputShape[2], width: inputShape[3])
        let patch = g.patchSize, pixels = g.outPixels, imageSize = inChannels * g.height * g.width
        let groupPatch = patch / groups, groupOut = outChannels / groups
        let weightCount = outChannels * groupPatch
        let chunks = Parallel.reductionChunks
        // Per-chunk partial weight and bias gradients, summed in chunk order afterwards.
        var partialW = [Float](repeating: 0, count: chunks * weightCount)
        var partialB = [Float](repeating: 0, count: chunks * outChannels)
        // With columns that are the image, the input's columns are the input, and its
        // gradient's columns are the input gradient (written whole by the GEMM, no fold).
        let inPlace = g.columnsAreImage, wantInput = needsInputGradient
        // Stride 1: the input gradient as a convolution of dy, written whole (ConvInputGradient).
        let flipped = wantInput && !inPlace ? ConvInputGradient(self, g) : nil
        // Folds add onto zeros written image by image just before (in cache, not a batch-wide fill).
        var dx = Tensor(uninitializedShape: wantInput ? inputShape : [0])
        let hasBias = bias != nil, wide = WideColumns(g)
        // dy padded for the input gradient, read in place by the weight gradient too (no widen).
        let sharedDy = wide.flatMap { flipped?.widenedGradient(matching: $0) }
        gradOutput.withUnsafePointer { gp in weight.value.withUnsafePointer { wp in
            input.withUnsafePointer { xp in dx.withUnsafeMutablePointer { dxp in
                partialW.withUnsafeMutableBufferPointer { pw in partialB.withUnsafeMutableBufferPointer { pb in
                    let pwp = pw.baseAddress!, pbp = pb.baseAddress!
                    Parallel.forEachIndexedChunk(n, chunks: chunks) { chunk, images in
                        let dW = pwp + chunk * weightCount, dB = pbp + chunk * outChannels
                        let colCount = wide.map { $0.paddedCount + outChannels * $0.pixels } ?? patch * pixels
                        let colScratch = inPlace ? nil : UnsafeMutablePointer<Float>.allocate(capacity: colCount)
                        let scratch = wantInput && !inPlace ? UnsafeMutablePointer<Float>.allocate(capacity: flipped?.scratchCount ?? patch * pixels) : nil
                        defer { colScratch?.deallocate(); scratch?.deallocate() }
                        for i in images {
                            let dy = gp + i * outChannels * pixels
                            if hasBias { for c in 0..<outChannels { dB[c] += Elementwise.sum(dy + c * pixels, count: pixels) } }
                            // dW += dy · columnsᵀ; stride 1 reads the columns in the padded image.
                            if let wide, let colScratch {
                                wide.pad(xp + i * imageSize, into: colScratch)
                                var wideGrad = UnsafePointer(colScratch + wide.paddedCount), rowStride = wide.pixels
                                if let sharedDy, let flipped, let scratch, let dyWide = flipped.wide {
                                    dyWide.pad(dy, into: scratch)
                                    (wideGrad, rowStride) = (UnsafePointer(scratch + sharedDy.offset), sharedDy.channelStride)
                                } else {
                                    wide.widen(dy, rows: outChannels, into: colScratch + wide.paddedCount)
                                }
                                for grp in 0..<groups {
                                    wide.weightGradient(wideGrad + grp * groupOut * rowStride, rowStride: rowStride, rows: groupOut,
                                                        taps: grp * groupPatch..<(grp + 1) * groupPatch, padded: colScratch,
                                                        into: dW + grp * groupOut * groupPatch)
                                }
                            } else {
                                let col = Self.columns(g, image: xp + i * imageSize, scratch: colScratch)
                                for grp in 0..<groups {
                                    Gemm.multiply(transB: true, m: groupOut, n: groupPatch, k: pixels,
                                                  a: dy + grp * groupOut * pixels, lda: pixels,
                                                  b: col + grp * groupPatch * pixels, ldb: pixels,
                                                  beta: 1, c: dW + grp * groupOut * groupPatch, ldc: groupPatch)
                                }
                            }
                            guard wantInput else { continue }
                            if let flipped, let scratch {
                                if sharedDy != nil, let dyWide = flipped.wide {
                                    flipped.inputGradient(paddedAt: scratch, dyWide, into: dxp + i * imageSize)
                                } else {
                                    flipped.inputGradient(dy, scratch: scratch, into: dxp + i * imageSize)
                                }
                                continue
                            }
                            let dcols = scratch ?? dxp + i * imageSize
                            for grp in 0..<groups {
                                Gemm.multiply(transA: true, m: groupPatch, n: pixels, k: groupOut,
                                              a: wp + grp * groupOut * groupPatch, lda: groupPatch,
                                              b: dy + grp * groupOut * pixels, ldb: pixels,
                                              beta: 0, c: dcols + grp * groupPatch * pixels, ldc: pixels)
                            }
                            if !inPlace {
                                (dxp + i * imageSize).update(repeating: 0, count: imageSize)
                                Im2col.fold(g, columns: dcols, image: dxp + i * imageSize)
                            }
                        }
                    }
                }}
            }}
        }}
        for chunk in 0..<chunks {
            for j in 0..<weightCount { weight.grad.storage[j] += partialW[chunk * weightCount + j] }
            if let b = bias { for c in 0..<outChannels { b.grad.storage[c] += partialB[chunk * outChannels + c] } }
        }
        return dx
    }
}
