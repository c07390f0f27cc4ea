/// Affine quantization of one tensor: `real = scale × (q − zeroPoint)`.
///
/// The scale is compile-time metadata only: it is turned into integer multipliers by
/// `QuantizedMultiplier(real:)` and printed as a convenience macro, never used by a kernel.
public struct QuantParams: Hashable, Sendable {
    public var scale: Double
    public var zeroPoint: Int32

    public init(scale: Double, zeroPoint: Int32) {
        self.scale = scale
        self.zeroPoint = zeroPoint
    }

    /// The real value of a quantized int8.
    public func dequantize(_ q: Int8) -> Double {
        scale * Double(Int32(q) - zeroPoint)
    }

    /// The int8 nearest to `real` (ties away from zero), saturated to −128…127.
    public func quantize(_ real: Double) -> Int8 {
        let q = (real / scale).rounded(.toNearestOrAwayFromZero) + Double(zeroPoint)
        return Int8(max(-128, min(127, q)))
    }
}
