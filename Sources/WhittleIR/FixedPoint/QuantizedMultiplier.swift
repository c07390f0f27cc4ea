import Foundation

/// A positive real multiplier `M` stored as a Q31 mantissa and a power of two:
/// `M ≈ multiplier · 2^(shift − 31)`, with `multiplier` in `[2^30, 2^31)` (or 0 for `M = 0`).
///
/// This is the only place where a real-valued scale becomes an integer kernel parameter; it runs
/// at compile time, so the generated C never sees a float.
public struct QuantizedMultiplier: Hashable, Sendable {
    /// M0, the Q31 mantissa.
    public var multiplier: Int32
    /// Power of two: positive shifts left before the high multiply, negative shifts right after.
    public var shift: Int32

    public init(multiplier: Int32, shift: Int32) {
        self.multiplier = multiplier
        self.shift = shift
    }

    /// TFLite's `QuantizeMultiplier`: `frexp` splits `real` into `q · 2^shift` with q in
    /// [0.5, 1); `M0 = round(q · 2^31)` rounding `.toNearestOrAway`; if that rounds up to 2^31 it
    /// is halved and `shift` grows by one; a shift below −31 would shift every bit out, so such a
    /// multiplier becomes (0, 0).
    ///
    /// Worked examples:
    /// - `1/255` → `(1_077_952_576, −7)`
    /// - `0.5`   → `(1_073_741_824, 0)`
    /// - `1.0`   → `(1_073_741_824, 1)`
    /// - `0`     → `(0, 0)`
    /// - `1e-12` → `(0, 0)` (shift would be −39)
    ///
    /// `real` must be finite and non-negative (the graph verifier checks scales first).
    public init(real: Double) {
        precondition(real.isFinite && real >= 0, "multiplier \(real) must be finite and ≥ 0")
        guard real > 0 else {
            self.init(multiplier: 0, shift: 0)
            return
        }
        let parts = frexp(real)
        var mantissa = (parts.0 * 2147483648.0).rounded(.toNearestOrAwayFromZero)
        var shift = parts.1
        if mantissa == 2147483648.0 {
            mantissa /= 2
            shift += 1
        }
        if shift < -31 {
            self.init(multiplier: 0, shift: 0)
        } else {
            self.init(multiplier: Int32(mantissa), shift: Int32(shift))
        }
    }

    /// The real value this pair stands for (for reports and tests only).
    public var realValue: Double {
        Double(multiplier) * pow(2.0, Double(shift) - 31)
    }
}
