import WhittleIR

/// Estimated instructions per inference of one conv / fully connected layer in a given weight
/// format: a cost per executed multiply-accumulate, per output value (requantization, clamping,
/// loop bookkeeping) and per stored weight the kernel decodes once per call.
///
/// The figures are callgrind counts of the generic kernels in templates/kernels/ (gcc -O2,
/// x86-64) on the LeNet layers (dense, magnitude-pruned and 2:4), per kernel; `whittle inspect`
/// and the emitted report show the resulting choice. They rank formats, they do not predict a
/// target's cycle count: the relative costs (a dense MAC shares its input load across a block of
/// channels, a sparse MAC pays for its position, a sparse conv decodes each filter once per
/// call) hold on Cortex-M as well.
public struct KernelCostModel: Sendable {
    /// Per executed MAC.
    public var denseConvMAC = 3.34
    public var sparseConvMAC = 3.6
    public var denseFullyConnectedMAC = 2.6
    public var indexFullyConnectedMAC = 13.0
    public var nmFullyConnectedMAC = 6.8
    /// Per stored weight, and per mask byte (eight tests, or one when all eight are zero).
    public var bitmapFullyConnectedMAC = 5.0
    public var bitmapFullyConnectedMaskByte = 21.0
    /// Per output value: requantize, clamp, store, loop bookkeeping.
    public var denseOutput = 23.5
    public var sparseConvOutput = 21.0
    /// Per gap nibble an index-sparse conv, per stored value an N:M conv and per weight (bit) a
    /// bitmap conv decodes into taps once per call.
    public var indexConvDecode = 30.0
    public var nmConvDecode = 16.0
    public var bitmapConvDecode = 16.0
    /// Per input an N:M fully connected layer widens (and reorders) into scratch.
    public var nmInput = 5.0

    public init() {}

    /// Instructions per inference of `node` with its weights stored as `footprint` says.
    public func instructions(_ footprint: LayerFootprint, node: QNode, in graph: QGraph, storage: WeightStorage) -> Double {
        let outputValues = Double(graph.tensors[node.output].shape.elementCount)
        let macs = Double(footprint.executedMACs)
        let isConv: Bool
        if case .conv2d = node.op { isConv = true } else { isConv = false }
        switch (storage, isConv) {
        case (.dense, true):
            return denseConvMAC * macs + denseOutput * outputValues
        case (.dense, false):
            return denseFullyConnectedMAC * macs + denseOutput * outputValues
        case (.indexSparse(let sparse), true):
            return sparseConvMAC * macs + sparseConvOutput * outputValues + indexConvDecode * Double(sparse.values.count)
        case (.bitmap(let bitmap), true):
            return sparseConvMAC * macs + sparseConvOutput * outputValues + bitmapConvDecode * Double(bitmap.outputs * bitmap.perOutput)
        case (.bitmap(let bitmap), false):
            return bitmapFullyConnectedMAC * macs + denseOutput * outputValues + bitmapFullyConnectedMaskByte * Double(bitmap.masks.count)
        case (.nm(let nm), true):
            return sparseConvMAC * macs + sparseConvOutput * outputValues + nmConvDecode * Double(nm.values.count)
        case (.indexSparse, false):
            return indexFullyConnectedMAC * macs + denseOutput * outputValues
        case (.nm(let nm), false):
            return nmFullyConnectedMAC * macs + denseOutput * outputValues + nmInput * Double(nm.perOutput)
        }
    }
}
