import Foundation

/// A small seeded random generator (SplitMix64): the same seed gives the same numbers on every
/// machine, so sample graphs and random test vectors are reproducible.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform int8 (all 256 values).
    public mutating func nextInt8() -> Int8 { Int8(truncatingIfNeeded: next()) }

    /// `exp` of a uniform number in `log(range)`: scales spread evenly over orders of magnitude.
    public mutating func logUniform(_ range: ClosedRange<Double>) -> Double {
        let unit = Double(next() >> 11) / Double(1 << 53)
        let (lo, hi) = (range.lowerBound, range.upperBound)
        return lo * pow(hi / lo, unit)
    }
}
