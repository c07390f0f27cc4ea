/// Instructions of one call of a kernel, as a linear model of the work it does (`KernelWork`):
/// per executed multiply-accumulate inside the input and at its border (clipped windows), per
/// output value (requantize, clamp, store, loop bookkeeping), per unit it decodes from its tables
/// (`Kernel.DecodeUnit`) and per call. A target descriptor carries
/// its own table (`kernelCosts`, measured by `whittle bench --kernel-costs`); kernels it does not
/// list take `KernelCost.defaults`.
public struct KernelCost: Codable, Hashable, Sendable {
    public var perMAC: Double
    /// Per multiply-accumulate of a border pixel; nil: as `perMAC`.
    public var perBorderMAC: Double?
    public var perOutput: Double
    public var perDecode: Double
    public var perCall: Double

    public init(perMAC: Double, perBorderMAC: Double? = nil, perOutput: Double, perDecode: Double = 0, perCall: Double = 0) {
        self.perMAC = perMAC
        self.perBorderMAC = perBorderMAC
        self.perOutput = perOutput
        self.perDecode = perDecode
        self.perCall = perCall
    }

    enum CodingKeys: String, CodingKey {
        case perMAC = "mac", perBorderMAC = "border_mac", perOutput = "output", perDecode = "decode", perCall = "call"
    }

    /// The instructions of a call doing `work`.
    public func instructions(_ work: KernelWork) -> Double {
        perMAC * Double(work.interiorMACs) + (perBorderMAC ?? perMAC) * Double(work.borderMACs)
            + perOutput * Double(work.outputs) + perDecode * Double(work.decodes) + perCall
    }

    /// Every coefficient, in `KernelWork`'s order of features (for checks and fits).
    public var coefficients: [Double] { [perMAC, perBorderMAC ?? perMAC, perOutput, perDecode, perCall] }

    /// Callgrind counts of the kernels on x86-64 (gcc -O2) over the LeNet layers: they rank
    /// formats where a target has no table of its own.
    public static let defaults: [String: KernelCost] = {
        let denseConv = KernelCost(perMAC: 3.34, perOutput: 23.5), denseFC = KernelCost(perMAC: 2.6, perOutput: 23.5)
        let r = KernelRegistry.self
        return [
            r.conv2d.name: denseConv, r.conv2dDSP.name: denseConv, r.conv2dMatrix.name: KernelCost(perMAC: 1.2, perOutput: 20), r.depthwiseConv2d.name: denseConv, r.depthwiseConv2dDSP.name: denseConv,
            r.conv2dSparse.name: KernelCost(perMAC: 3.6, perOutput: 21, perDecode: 30),
            r.conv2dBitmap.name: KernelCost(perMAC: 3.6, perOutput: 21, perDecode: 16),
            r.conv2dNM.name: KernelCost(perMAC: 3.6, perOutput: 21, perDecode: 16),
            r.conv2dIndexed.name: KernelCost(perMAC: 3.0, perOutput: 21),
            r.fullyConnected.name: denseFC, r.fullyConnectedDSP.name: denseFC,
            r.fullyConnectedSparse.name: KernelCost(perMAC: 13, perOutput: 23.5),
            r.fullyConnectedIndexed.name: KernelCost(perMAC: 4, perOutput: 23.5),
            r.fullyConnectedBitmap.name: KernelCost(perMAC: 5, perOutput: 23.5, perDecode: 21),
            r.fullyConnectedNM.name: KernelCost(perMAC: 6.8, perOutput: 23.5, perDecode: 5),
        ]
    }()
}

extension TargetDescriptor {
    /// The cost of a call of `kernel` on this target: its measured table, else the defaults.
    public func cost(of kernel: Kernel) -> KernelCost {
        kernelCosts?[kernel.name] ?? KernelCost.defaults[kernel.name] ?? KernelCost(perMAC: 4, perOutput: 24)
    }
}
