import WhittleIR

/// Every C kernel Whittle emits, and the target variants that replace some of them. Lowerings
/// pick kernels from here; nothing else in Swift spells a kernel's name.
public enum KernelRegistry {
    /// The two shared headers every kernel includes.
    public static let baseHeaders = ["whittle_kernel.h", "whittle_fixedpoint.h"]
    /// SMLAD / SXTB16 with a plain-C twin: the `_dsp` kernels and the sparse conv gather.
    static let dspHeader = "whittle_dsp.h"

    // Dense convolution, grouped and depthwise, and their ARMv7E-M (`dsp`) twins.
    public static let conv2d = Kernel("conv2d_s8", foldsMaxPool: true)
    public static let conv2dDSP = Kernel("conv2d_s8_dsp", includes: [conv2d], headers: [dspHeader], foldsMaxPool: true)
    /// Ungrouped dense convs without a folded pool on DSP targets: im2col and a 4-pixel x
    /// 2-channel SMLAD matrix product.
    public static let conv2dMatrix = Kernel("conv2d_s8_mm", headers: [dspHeader], decodes: .columnValue, scratch: .widenedColumns)
    public static let depthwiseConv2d = Kernel("dwconv2d_s8")
    public static let depthwiseConv2dDSP = Kernel("dwconv2d_s8_dsp", includes: [depthwiseConv2d], headers: [dspHeader])

    // Sparse convolution: each filter decoded into the gather's kept taps, or ready in flash.
    public static let conv2dGather = Kernel("conv2d_s8_gather", headers: [dspHeader])
    public static let conv2dSparse = Kernel("conv2d_s8_sparse", includes: [conv2dGather], foldsMaxPool: true, decodes: .storedValue,
                                            scratch: .gatheredTaps)
    public static let conv2dBitmap = Kernel("conv2d_s8_bitmap", includes: [conv2dGather], foldsMaxPool: true, decodes: .weight,
                                            scratch: .gatheredTaps)
    public static let conv2dNM = Kernel("conv2d_s8_nm", includes: [conv2dGather], foldsMaxPool: true, decodes: .storedValue,
                                        scratch: .gatheredNMTaps)
    public static let conv2dIndexed = Kernel("conv2d_s8_indexed", includes: [conv2dGather], foldsMaxPool: true)

    // Fully connected, dense and sparse.
    public static let fullyConnected = Kernel("fc_s8")
    // The DSP twins take their generic kernel's parameter struct (and the conv's pixel loops).
    public static let fullyConnectedDSP = Kernel("fc_s8_dsp", includes: [fullyConnected], headers: [dspHeader])
    public static let fullyConnectedSparse = Kernel("fc_s8_sparse")
    public static let fullyConnectedBitmap = Kernel("fc_s8_bitmap", decodes: .maskByte)
    public static let fullyConnectedNM = Kernel("fc_s8_nm", decodes: .input, scratch: .widenedInput)
    public static let fullyConnectedIndexed = Kernel("fc_s8_indexed")

    // No weights.
    // Both pools take whittle_pool.h's parameters.
    public static let maxPool = Kernel("maxpool_s8", headers: ["whittle_pool.h"])
    public static let averagePool = Kernel("avgpool_s8", headers: ["whittle_pool.h"])
    public static let add = Kernel("add_s8")
    // The softmax's fixed-point exponential and reciprocal are whittle_softmax.h's.
    public static let softmax = Kernel("softmax_s8", headers: ["whittle_softmax.h"])
    public static let mean = Kernel("mean_s8")
    public static let pad = Kernel("pad_s8")

    public static let all: [Kernel] = [
        conv2d, conv2dDSP, conv2dMatrix, depthwiseConv2d, depthwiseConv2dDSP, conv2dGather, conv2dSparse, conv2dBitmap, conv2dNM, conv2dIndexed,
        fullyConnected, fullyConnectedDSP, fullyConnectedSparse, fullyConnectedBitmap, fullyConnectedNM, fullyConnectedIndexed,
        maxPool, averagePool, add, softmax, mean, pad,
    ]

    /// The kernels of conv and fully connected layers before any target variant replaces them:
    /// what a target's cost table must price (through the variants it takes).
    public static let genericWeightKernels: [Kernel] = [
        conv2d, depthwiseConv2d, conv2dSparse, conv2dBitmap, conv2dNM, fullyConnected, fullyConnectedSparse, fullyConnectedBitmap, fullyConnectedNM,
    ]

    /// The kernel that replaces a generic one on targets listing a variant (the lowering may still
    /// keep the generic kernel when a layer does not fit the variant's tables).
    static let variants: [Kernel: [TargetDescriptor.KernelVariant: Kernel]] = [
        conv2d: [.dsp: conv2dDSP],
        depthwiseConv2d: [.dsp: depthwiseConv2dDSP],
        fullyConnected: [.dsp: fullyConnectedDSP],
        conv2dSparse: [.indexedSparse: conv2dIndexed],
        fullyConnectedSparse: [.indexedSparse: fullyConnectedIndexed],
    ]

    /// The kernel of `name`, for reading back what a manifest or a report names.
    public static func named(_ name: String) -> Kernel? {
        all.first { $0.name == name }
    }

    /// The files and headers a set of kernels needs, in include order.
    static func files(for kernels: [Kernel]) -> (headers: [String], kernels: [Kernel]) {
        var files: [Kernel] = []
        for kernel in kernels.flatMap(\.filesInIncludeOrder) where !files.contains(kernel) { files.append(kernel) }
        var headers = baseHeaders
        for header in files.flatMap(\.headers) where !headers.contains(header) { headers.append(header) }
        return (headers, files)
    }
}
