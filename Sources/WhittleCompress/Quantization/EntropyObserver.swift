import Foundation

/// Entropy (KL-divergence) calibration as TensorRT does it: over thresholds T, compare the
/// distribution of |x| clipped to T (P) with the same distribution quantized to the levels the
/// int8 grid really has on [0, T] (Q), and keep the T with the smallest KL(P ‖ Q). Our grid is
/// asymmetric, so a non-negative tensor (after ReLU) gets all 255 steps on [0, T], a signed one
/// about 127 per side. The chosen symmetric range is intersected with the values seen.
///
/// KL only sees the merging loss when each level spans many histogram bins (TensorRT: 2048 bins
/// for 128 levels), so this observer keeps a finer histogram than the others. Exact zeros (the
/// ReLU spike) are left out: they sit on the zero point of any grid.
public struct EntropyObserver: HistogramObserver {
    public var histogram = Histogram(bins: 32_768)

    public init() {}

    public func choose(from h: Histogram) -> ObservedRange {
        // Fold the signed histogram onto |x|: bin j covers [j·w, (j+1)·w).
        let half = h.bins / 2
        var magnitude = [Double](repeating: 0, count: half)
        for i in 0..<h.bins { magnitude[i < half ? half - 1 - i : i - half] += h.counts[i] }
        magnitude[0] -= h.exactZeros // exact zeros are exact on any grid: they must not steer T
        guard let lastUsed = magnitude.lastIndex(where: { $0 > 0 }) else { return ObservedRange(min: 0, max: 0) }
        let levels = h.minimum >= 0 ? 255 : 127
        var bestT = lastUsed + 1, bestKL = Double.infinity
        let first = min(levels, lastUsed + 1)
        let step = max(1, (lastUsed + 1 - first) / 256) // ~256 candidate thresholds
        for t in Array(stride(from: first, to: lastUsed + 1, by: step)) + [lastUsed + 1] {
            let kl = Self.divergence(magnitude, threshold: t, levels: levels)
            if kl < bestKL { bestKL = kl; bestT = t }
        }
        let threshold = Float(bestT) * h.binWidth
        return ObservedRange(min: -threshold, max: threshold)
    }

    /// KL(P ‖ Q) for the first `threshold` bins, outliers folded into the last bin of P.
    package static func divergence(_ magnitude: [Double], threshold t: Int, levels: Int) -> Double {
        var p = Array(magnitude[0..<t])
        p[t - 1] += magnitude[t...].reduce(0, +)
        // Q: merge the t bins into `levels` groups, spread each group's mass over its nonzero bins.
        var q = [Double](repeating: 0, count: t)
        let perLevel = Double(t) / Double(levels)
        for level in 0..<levels {
            let start = Int((Double(level) * perLevel).rounded(.down))
            let end = level == levels - 1 ? t : Int((Double(level + 1) * perLevel).rounded(.down))
            guard start < end else { continue }
            let mass = magnitude[start..<end].reduce(0, +)
            let used = magnitude[start..<end].filter { $0 > 0 }.count
            guard used > 0 else { continue }
            for j in start..<end where magnitude[j] > 0 { q[j] = mass / Double(used) }
        }
        let pSum = p.reduce(0, +), qSum = q.reduce(0, +)
        guard pSum > 0, qSum > 0 else { return .infinity }
        var kl = 0.0
        for j in 0..<t where p[j] > 0 {
            let pj = p[j] / pSum
            let qj = max(q[j] / qSum, 1e-12)
            kl += pj * log(pj / qj)
        }
        return kl
    }
}
