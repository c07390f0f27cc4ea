/// Elementwise sum of two int8 tensors of one shape, each with its own scale and zero point,
/// requantized to the output as TFLite's reference `ADD` does (Jacob et al. 2018, §2.3):
///
///     a  = MultiplyByQuantizedMultiplier((x1 − z1) · 2^20, input1)      // s1 / (2·max(s1, s2))
///     b  = MultiplyByQuantizedMultiplier((x2 − z2) · 2^20, input2)      // s2 / (2·max(s1, s2))
///     y  = clamp(zy + MultiplyByQuantizedMultiplier(a + b, output))      // 2·max(s1, s2) / (2^20·sy)
///
/// The left shift lifts the inputs to 2^20 times their integer step so the two rescales lose no
/// precision that matters; |x − z| ≤ 255, so every value stays under 2^29 and no multiplier
/// shifts left (each real multiplier is below 1, which the verifier checks).
public struct Add: Hashable, Sendable {
    /// TFLite's `left_shift` for 8-bit inputs.
    public static let leftShift: Int32 = 20

    public var input1: QuantizedMultiplier
    public var input2: QuantizedMultiplier
    public var output: QuantizedMultiplier
    public var clamp: ClampRange

    public init(input1: QuantizedMultiplier, input2: QuantizedMultiplier, output: QuantizedMultiplier, clamp: ClampRange) {
        self.input1 = input1
        self.input2 = input2
        self.output = output
        self.clamp = clamp
    }

    /// The multipliers TFLite's `PrepareGeneralSubOp`/`Add` prepare derives from the three scales.
    public init(inputs first: QuantParams, _ second: QuantParams, output: QuantParams, clamp: ClampRange) {
        let m = Self.realMultipliers(first, second, output: output)
        self.init(input1: QuantizedMultiplier(real: m.input1), input2: QuantizedMultiplier(real: m.input2),
                  output: QuantizedMultiplier(real: m.output), clamp: clamp)
    }

    /// `s1 / 2m`, `s2 / 2m` and `2m / (2^20 · sy)` with `m = max(s1, s2)`.
    public static func realMultipliers(_ first: QuantParams, _ second: QuantParams, output: QuantParams)
        -> (input1: Double, input2: Double, output: Double) {
        let twiceMax = 2 * max(first.scale, second.scale)
        return (first.scale / twiceMax, second.scale / twiceMax,
                twiceMax / (Double(1 << leftShift) * output.scale))
    }

    /// The int8 sum of one pair of values (the reference formula above).
    public func apply(_ x1: Int8, _ x2: Int8, zeros: (input1: Int32, input2: Int32, output: Int32)) -> Int8 {
        let a = FixedPoint.multiplyByQuantizedMultiplier((Int32(x1) - zeros.input1) << Self.leftShift, input1)
        let b = FixedPoint.multiplyByQuantizedMultiplier((Int32(x2) - zeros.input2) << Self.leftShift, input2)
        return Int8(clamp.clamp(zeros.output + FixedPoint.multiplyByQuantizedMultiplier(a + b, output)))
    }
}

extension Add: QOperation {
    var kindName: String { "add" }
    var inputCount: Int { 2 }
    var tag: UInt8 { 6 }

    /// Both inputs in the output's shape, and the multipliers TFLite derives from the three
    /// scales, each below 1.
    func verify(_ node: NodeContext) throws {
        let (inputs, output) = (node.inputs, node.output)
        for input in inputs where input.shape != output.shape {
            throw node.fail(.outputShape, "input '\(input.name)' is \(input.shape), the output \(output.shape); add needs one shape")
        }
        let real = Self.realMultipliers(inputs[0].quant, inputs[1].quant, output: output.quant)
        for (what, m, r) in [("input 1", input1, real.input1), ("input 2", input2, real.input2), ("output", self.output, real.output)] {
            guard r.isFinite, r < 1 else {
                throw node.fail(.requantizationMatchesScales, "the \(what) multiplier \(r) must be below 1 (output scale \(output.quant.scale) is too small for inputs of scale \(inputs[0].quant.scale), \(inputs[1].quant.scale))")
            }
            let expected = QuantizedMultiplier(real: r)
            guard m == expected else {
                throw node.fail(.requantizationMatchesScales,
                                "the \(what) multiplier is (M0 \(m.multiplier), shift \(m.shift)), the scales give (\(expected.multiplier), \(expected.shift))")
            }
        }
        try GraphVerifier.verifyClamp(clamp, node.location)
    }

    func work(_ node: NodeContext) -> Int? { node.output.shape.elementCount }

    var textDetails: String { " \(QGraphText.clamp(clamp))" }

    /// The three multipliers (M0 and shift each: input 1, input 2, output), then the clamp.
    func encodeFields(into w: inout BinaryWriter) {
        for m in [input1, input2, output] {
            w.write(m.multiplier)
            w.write(m.shift)
        }
        QGraphCoding.encode(clamp, into: &w)
    }

    static func decode(_ r: inout BinaryReader, _ what: String) throws -> QOp {
        let m = try ["input 1", "input 2", "output"].map {
            QuantizedMultiplier(multiplier: try r.read(Int32.self, "\(what) \($0) multiplier"),
                                shift: try r.read(Int32.self, "\(what) \($0) shift"))
        }
        return .add(Add(input1: m[0], input2: m[1], output: m[2], clamp: try QGraphCoding.decodeClamp(&r, what)))
    }
}
