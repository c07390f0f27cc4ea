/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// Everything random in Whittle — initialisation, shuffling, dropout, synthetic data —
/// draws from an `RNG` derived from the user's seed, so a run is reproducible bit for bit.
public struct RNG: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        var sm = seed
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// An independent stream for a named purpose ("init", "shuffle", …), so adding draws
    /// in one place does not shift the numbers another place sees.
    public func derived(_ label: String) -> RNG {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 // FNV-1a
        for b in label.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        var copy = self
        return RNG(seed: copy.next() ^ h)
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func uniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * uniform()
    }

    /// Standard normal (Box–Muller; one value per call, the pair's partner is dropped
    /// so the stream position does not depend on call history).
    public mutating func normal() -> Float {
        let u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let r = (-2.0 * _log(max(u1, 1e-300))).squareRoot()
        return Float(r * _cos(2.0 * Double.pi * u2))
    }

    /// Uniform integer in 0..<bound.
    public mutating func int(below bound: Int) -> Int {
        precondition(bound > 0)
        return Int(next() % UInt64(bound)) // bias is < 2^-40 for our bounds
    }

    /// Fisher–Yates shuffle, reproducible for a given generator state.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, int(below: i + 1))
        }
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Darwin
@inline(__always) private func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
