/// A histogram of every value a tensor took, over a range that grows by doubling as larger
/// values arrive (merging bin pairs keeps counts exact), so observers that search for the best
/// clipping range need not keep the values themselves.
public struct Histogram: Sendable {
    public private(set) var counts: [Double]
    /// Values fall in [−bound, bound).
    public private(set) var bound: Float = 0
    public private(set) var minimum = Float.infinity
    public private(set) var maximum = -Float.infinity
    /// Values exactly 0 (counted in their bin too). After ReLU they are often most of a tensor,
    /// and they quantize without error to the zero point.
    public private(set) var exactZeros: Double = 0

    public init(bins: Int = 2048) {
        precondition(bins >= 2 && bins % 2 == 0)
        counts = [Double](repeating: 0, count: bins)
    }

    public var bins: Int { counts.count }
    public var binWidth: Float { 2 * bound / Float(bins) }
    public var total: Double { counts.reduce(0, +) }

    public mutating func add(_ values: UnsafeBufferPointer<Float>) {
        var m: Float = 0
        for v in values {
            m = max(m, abs(v))
            minimum = min(minimum, v)
            maximum = max(maximum, v)
        }
        if bound == 0 { bound = m > 0 ? m * 1.0001 : 1e-8 }
        while m >= bound { widen() }
        let scale = Float(bins) / (2 * bound)
        for v in values {
            // Clamped in float: near Float's limits the bound is ∞ and the position NaN.
            let position = (v + bound) * scale
            counts[position.isNaN ? 0 : Int(min(max(position, 0), Float(bins - 1)))] += 1
            if v == 0 { exactZeros += 1 }
        }
    }

    /// Doubles the covered range: bin pairs merge into the middle half.
    private mutating func widen() {
        let n = bins
        var merged = [Double](repeating: 0, count: n)
        for i in 0..<(n / 2) { merged[n / 4 + i] = counts[2 * i] + counts[2 * i + 1] }
        counts = merged
        bound *= 2
    }

    /// The bin that holds 0.
    public var zeroBin: Int { bins / 2 }

    /// Center of bin i.
    public func center(_ i: Int) -> Float { -bound + (Float(i) + 0.5) * binWidth }

    /// The smallest value v such that at least `fraction` of the samples are ≤ v (bin resolution).
    public func quantile(_ fraction: Double) -> Float {
        let target = fraction * total
        var running = 0.0
        for i in 0..<bins {
            running += counts[i]
            if running >= target { return -bound + Float(i + 1) * binWidth }
        }
        return bound
    }
}

/// Base of the observers that decide from a histogram of all values seen.
public protocol HistogramObserver: RangeObserver {
    var histogram: Histogram { get set }
    func choose(from histogram: Histogram) -> ObservedRange
}

extension HistogramObserver {
    public mutating func observe(_ values: UnsafeBufferPointer<Float>) { histogram.add(values) }

    public var range: ObservedRange? {
        guard histogram.total > 0 else { return nil }
        let r = choose(from: histogram)
        // Never wider than what was seen (lowering widens to include 0 afterwards).
        return ObservedRange(min: max(r.min, histogram.minimum), max: min(r.max, histogram.maximum))
    }
}
