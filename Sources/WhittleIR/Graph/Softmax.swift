import WhittleSupport

/// Softmax over the channels of each pixel (TFLite's last axis), int8 in and int8 out with the
/// output fixed at scale 1/256 and zero point −128, as TFLite's reference `SOFTMAX` computes it
/// (`reference_ops::Softmax`, the path LiteRT's `BUILTIN_REF` resolver runs for int8 → int8):
///
///     max  = the row's largest input (at least −128)
///     d    = x − max                                    // ≤ 0; skipped (output −128) when d < diffMin
///     e(d) = expOnNegativeValuesQ5(MultiplyByQuantizedMultiplierGreaterThanOne(d, M, leftShift))
///     sum  = Σ shiftedRight(e(d), 12)                   // Q12.19
///     (r, k) = reciprocal(sum, integerBits: 12)         // 1/sum = r / 2^31 / 2^k
///     y    = clamp(shiftedRight(SRDHM(r, e(d)), k + 23) − 128, −128, 127)
///
/// `M · 2^leftShift / 2^31` is `beta · s_in · 2^26` (`PreprocessSoftmaxScaling` with 5 integer
/// bits, capped at 2^31 − 1), so `d · M · 2^leftShift / 2^31` is the real difference times beta
/// in Q5.26; `diffMin` is minus TFLite's `CalculateInputRadius(5, leftShift)`, the largest
/// difference whose scaled value still fits Q5.26 (≥ −32). The fixed-point steps are gemmlowp's
/// (`Sources/WhittleIR/FixedPoint/`, twins in `templates/kernels/whittle_softmax.h`).
///
/// The input scale lives in the input tensor; `beta` is kept as metadata beside the integer
/// parameters the verifier recomputes from both. A row holds at most 511 values: TFLite's
/// reference checks that `k + 23 ≤ 31`, which a row of 512 equal values breaks.
public struct Softmax: Hashable, Sendable {
    /// The integer bits of the scaled differences (TFLite's `kScaledDiffIntegerBits`).
    public static let differenceIntegerBits = FixedPoint.softmaxDifferenceIntegerBits
    /// The integer bits of the sum of exponentials (TFLite's `kAccumulationIntegerBits`).
    public static let accumulationIntegerBits = 12
    /// The longest row for which TFLite's reference exponent stays ≤ 31 whatever the inputs.
    public static let maxRowLength = 511
    /// The output quantization TFLite requires: real = (q + 128) / 256.
    public static let outputQuant = QuantParams(scale: 1.0 / 256, zeroPoint: -128)

    /// The softmax temperature's inverse, as the model states it (metadata).
    public var beta: Double
    /// M0 of `beta · s_in · 2^26` (at least 2^30).
    public var inputMultiplier: Int32
    /// Its power of two, 0…31 (the multiplier is above 1).
    public var inputLeftShift: Int32
    /// The smallest difference `x − max` that enters the sum (≤ 0).
    public var diffMin: Int32

    public init(beta: Double, inputMultiplier: Int32, inputLeftShift: Int32, diffMin: Int32) {
        self.beta = beta
        self.inputMultiplier = inputMultiplier
        self.inputLeftShift = inputLeftShift
        self.diffMin = diffMin
    }

    /// The parameters TFLite's `SoftmaxPrepare` derives from `beta` and the input scale; nil when
    /// `beta · s_in · 2^26` is not above 1 (TFLite's `QuantizeMultiplierGreaterThanOne` refuses it).
    public init?(beta: Double, inputScale: Double) {
        guard let (multiplier, radius) = Self.scaling(beta: beta, inputScale: inputScale) else { return nil }
        self.init(beta: beta, inputMultiplier: multiplier.multiplier, inputLeftShift: multiplier.shift, diffMin: -radius)
    }

    /// `beta · s_in · 2^(31 − 5)` capped at 2^31 − 1, computed in Double as TFLite does
    /// (`PreprocessSoftmaxScaling`); nil unless finite and above 1.
    public static func realInputMultiplier(beta: Double, inputScale: Double) -> Double? {
        let real = min(beta * inputScale * Double(1 << (31 - differenceIntegerBits)), Double(Int32.max))
        return real.isFinite && real > 1 ? real : nil
    }

    /// The quantized input multiplier and TFLite's `CalculateInputRadius(5, leftShift, 31)`:
    /// `floor((2^5 − 1) · 2^26 / 2^leftShift)`, exact in integers.
    static func scaling(beta: Double, inputScale: Double) -> (QuantizedMultiplier, Int32)? {
        guard let real = realInputMultiplier(beta: beta, inputScale: inputScale) else { return nil }
        let multiplier = QuantizedMultiplier(real: real)
        let radius = (((Int64(1) << differenceIntegerBits) - 1) << (31 - differenceIntegerBits)) >> Int64(multiplier.shift)
        return (multiplier, Int32(radius))
    }

    /// One row's outputs (the reference formula above).
    public func apply(_ row: [Int8]) -> [Int8] {
        let maximum = row.map(Int32.init).max().map { max($0, -128) } ?? -128
        func exponential(_ difference: Int32) -> Int32 {
            let scaled = FixedPoint.multiplyByQuantizedMultiplierGreaterThanOne(difference, inputMultiplier, leftShift: Int(inputLeftShift))
            return FixedPoint.expOnNegativeValuesQ5(scaled)
        }
        var sum: Int32 = 0
        for x in row where Int32(x) - maximum >= diffMin {
            // Rescale<12> from Q0.31: a rounding right shift by 12.
            sum += FixedPoint.shiftedRight(exponential(Int32(x) - maximum), by: Self.accumulationIntegerBits, rounding: .toNearestOrAway)
        }
        let (reciprocal, bitsOverUnit) = FixedPoint.reciprocal(sum, integerBits: Self.accumulationIntegerBits)
        let exponent = bitsOverUnit + 31 - 8
        precondition((0...31).contains(exponent), "softmax exponent \(exponent): a row of \(row.count) values is over \(Self.maxRowLength)")
        return row.map { x in
            let difference = Int32(x) - maximum
            guard difference >= diffMin else { return -128 }
            let product = FixedPoint.saturatingDoublingHighMultiply(reciprocal, exponential(difference), rounding: .toNearestOrUp)
            let unsaturated = FixedPoint.shiftedRight(product, by: exponent, rounding: .toNearestOrAway)
            return Int8(max(-128, min(127, unsaturated - 128)))
        }
    }
}

extension Softmax: QOperation {
    var kindName: String { "softmax" }
    var tag: UInt8 { 7 }

    /// One shape, the output quantized as TFLite requires, rows short enough for TFLite's
    /// exponent check, and the integer parameters TFLite derives from beta and the input scale.
    func verify(_ node: NodeContext) throws {
        let (input, output) = (node.input, node.output)
        guard input.shape == output.shape else {
            throw node.fail(.outputShape, "output is \(output.shape), input \(input.shape); softmax keeps the shape")
        }
        guard output.quant == Self.outputQuant else {
            throw node.fail(.quantParams, "output quantization \(output.quant) must be scale 1/256, zero point −128 (TFLite's int8 softmax)")
        }
        guard input.shape.channels <= Self.maxRowLength else {
            throw node.fail(.rowLength, "a row (the channels of a pixel) of \(input.shape.channels) values is over \(Self.maxRowLength): TFLite's reference exponent check fails for equal inputs")
        }
        guard beta.isFinite, beta > 0 else {
            throw node.fail(.requantizationMatchesScales, "beta \(beta) must be finite and > 0")
        }
        guard let (multiplier, radius) = Self.scaling(beta: beta, inputScale: input.quant.scale) else {
            throw node.fail(.requantizationMatchesScales, "beta · s_in · 2^26 = \(beta * input.quant.scale * 67_108_864) must be above 1 (TFLite's QuantizeMultiplierGreaterThanOne)")
        }
        let expected = Softmax(beta: beta, inputMultiplier: multiplier.multiplier, inputLeftShift: multiplier.shift, diffMin: -radius)
        guard self == expected else {
            throw node.fail(.requantizationMatchesScales,
                            "input multiplier (M0 \(inputMultiplier), left shift \(inputLeftShift)) and diff_min \(diffMin); beta \(beta) and the input scale give (\(expected.inputMultiplier), \(expected.inputLeftShift)) and \(expected.diffMin)")
        }
    }

    /// Two passes over every value (the sum, then the outputs).
    func work(_ node: NodeContext) -> Int? { checkedProduct(node.output.shape.elementCount, 2) }

    var textDetails: String { " beta \(beta), input multiplier (\(inputMultiplier), left shift \(inputLeftShift)), diff_min \(diffMin)" }

    /// Beta, then the input multiplier, its left shift and diff_min.
    func encodeFields(into w: inout BinaryWriter) {
        w.write(beta)
        w.write(inputMultiplier)
        w.write(inputLeftShift)
        w.write(diffMin)
    }

    static func decode(_ r: inout BinaryReader, _ what: String) throws -> QOp {
        .softmax(Softmax(beta: try r.readDouble("\(what) beta"), inputMultiplier: try r.read(Int32.self, "\(what) input multiplier"),
                         inputLeftShift: try r.read(Int32.self, "\(what) input left shift"), diffMin: try r.read(Int32.self, "\(what) diff_min")))
    }
}
