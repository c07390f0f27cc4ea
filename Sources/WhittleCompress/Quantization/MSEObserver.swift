import Foundation

/// Chooses the range that minimises the expected squared quantization error over the values
/// seen: rounding error inside the range plus clipping error outside it, evaluated on the
/// histogram for candidate ranges that shrink the observed [min, max] toward zero.
public struct MSEObserver: HistogramObserver {
    public var histogram = Histogram()
    public let candidates: Int

    public init(candidates: Int = 100) { self.candidates = candidates }

    public func choose(from h: Histogram) -> ObservedRange {
        let lo = min(h.minimum, 0), hi = max(h.maximum, 0)
        var best = ObservedRange(min: lo, max: hi), bestError = Double.infinity
        for step in 0..<candidates {
            let shrink = pow(0.01, Float(step) / Float(candidates - 1)) // 100 % … 1 % of the range, geometrically
            let r = ObservedRange(min: lo * shrink, max: hi * shrink)
            let e = Self.expectedError(h, r)
            if e < bestError { bestError = e; best = r }
        }
        return best
    }

    /// Σ count · (x − Q(x))² over bin centres, for an asymmetric 8-bit grid on `r`.
    static func expectedError(_ h: Histogram, _ r: ObservedRange) -> Double {
        let step = Double(r.max - r.min) / 255
        guard step > 0 else { return .infinity }
        var sum = 0.0
        for i in 0..<h.bins where h.counts[i] > 0 {
            let x = Double(h.center(i))
            let clipped = min(max(x, Double(r.min)), Double(r.max))
            let q = Double(r.min) + ((clipped - Double(r.min)) / step).rounded() * step
            sum += h.counts[i] * (x - q) * (x - q)
        }
        return sum
    }
}
