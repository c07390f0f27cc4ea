import WhittleSupport

/// The mean over the height and width of each channel (TFLite's `MEAN` over axes 1 and 2 of an
/// NHWC tensor, `keep_dims` either way), int8 with its own input and output quantization, as
/// TFLite's reference computes it: LiteRT 2.3's `BUILTIN_REF` resolver runs
/// `reference_ops::QuantizedMeanOrSum` for every int8 case (equal or different quantization,
/// kept dimensions or not), which folds the element count into the output multiplier:
///
///     (M0, s) = QuantizeMultiplier(s_in / s_out)                 // in Double
///     k       = min(floor(log2 n), 32, 31 + s)                    // n = height · width
///     M       = (M0 · 2^k) / n  (integer division),  shift = s − k
///     y       = clamp(zy + MultiplyByQuantizedMultiplier(Σx − zx · n, M, shift), −128, 127)
///
/// `M` is not normalized (it may be below 2^30); the multiply rounds twice, as TFLite's default
/// build does. The output is 1×1×C whatever `keepDims` says: it only records whether the model's
/// output kept its two unit dimensions (TFLite's shape [1, 1, 1, C] or [1, C]).
public struct Mean: Hashable, Sendable {
    /// `QuantizeMultiplier(s_in / s_out)` with `1/n` folded in (see above).
    public var multiplier: QuantizedMultiplier
    /// TFLite's `keep_dims` (metadata for export: the layout is the same).
    public var keepDims: Bool

    public init(multiplier: QuantizedMultiplier, keepDims: Bool) {
        self.multiplier = multiplier
        self.keepDims = keepDims
    }

    /// The multiplier TFLite derives for a mean of `count` values from the two scales.
    public init(inputScale: Double, outputScale: Double, count: Int, keepDims: Bool) {
        self.init(multiplier: Self.foldedMultiplier(inputScale: inputScale, outputScale: outputScale, count: count), keepDims: keepDims)
    }

    /// `QuantizeMultiplier(s_in / s_out)` with `1/count` folded in as `QuantizedMeanOrSum` does:
    /// the multiplier shifted up by `k` (at most log2 count, 32, and 31 plus its shift), divided
    /// by `count` in 64-bit integers, the shift lowered by `k`.
    ///
    /// Worked example: `s_in / s_out = 1`, `count = 3` → M0 2^30, shift 1, `k = 1`:
    /// `(2^31 / 3, 0)` = `(715_827_882, 0)`, i.e. 1/3.
    public static func foldedMultiplier(inputScale: Double, outputScale: Double, count: Int) -> QuantizedMultiplier {
        precondition(count > 0, "a mean of \(count) values")
        let base = QuantizedMultiplier(real: inputScale / outputScale)
        let floorLog2 = Int64(63 - UInt64(count).leadingZeroBitCount)
        let k = min(floorLog2, 32, 31 + Int64(base.shift))
        let folded = (Int64(base.multiplier) << k) / Int64(count)
        return QuantizedMultiplier(multiplier: Int32(folded), shift: base.shift - Int32(k))
    }

    /// One channel's mean of `values` (the reference formula above).
    public func apply(_ values: [Int8], inputZero: Int32, outputZero: Int32) -> Int8 {
        let sum = values.reduce(Int32(0)) { $0 + Int32($1) }
        let centred = sum - inputZero * Int32(values.count)
        return Int8(ClampRange.int8.clamp(outputZero + FixedPoint.multiplyByQuantizedMultiplier(centred, multiplier)))
    }
}

extension Mean: QOperation {
    var kindName: String { "mean" }
    var tag: UInt8 { 8 }

    /// A 1×1 output of the input's channels, and the folded multiplier TFLite derives from the
    /// two scales and the element count. (Its accumulator range is `AccumulatorRangeAnalysis`'s.)
    func verify(_ node: NodeContext) throws {
        let (input, output) = (node.input, node.output)
        let expectedShape = TensorShape(height: 1, width: 1, channels: input.shape.channels)
        guard output.shape == expectedShape else {
            throw node.fail(.outputShape, "output is \(output.shape), the mean over height and width of \(input.shape) is \(expectedShape)")
        }
        let real = input.quant.scale / output.quant.scale
        guard real.isFinite else {
            throw node.fail(.requantizationMatchesScales, "the multiplier s_in / s_out = \(real) must be finite")
        }
        let count = input.shape.height * input.shape.width // both checked against the size limits
        let expected = Self.foldedMultiplier(inputScale: input.quant.scale, outputScale: output.quant.scale, count: count)
        guard multiplier == expected else {
            throw node.fail(.requantizationMatchesScales,
                            "the multiplier is (M0 \(multiplier.multiplier), shift \(multiplier.shift)), the scales and \(count) values give (\(expected.multiplier), \(expected.shift))")
        }
    }

    /// One step per input value.
    func work(_ node: NodeContext) -> Int? { node.input.shape.elementCount }

    var textDetails: String { " over height and width, multiplier (\(multiplier.multiplier), shift \(multiplier.shift)), keep_dims \(keepDims)" }

    /// The folded multiplier (M0, shift), then keep_dims.
    func encodeFields(into w: inout BinaryWriter) {
        w.write(multiplier.multiplier)
        w.write(multiplier.shift)
        w.write(keepDims)
    }

    static func decode(_ r: inout BinaryReader, _ what: String) throws -> QOp {
        let multiplier = QuantizedMultiplier(multiplier: try r.read(Int32.self, "\(what) multiplier"), shift: try r.read(Int32.self, "\(what) shift"))
        return .mean(Mean(multiplier: multiplier, keepDims: try r.readBool("\(what) keep_dims")))
    }
}
