import Foundation

/// The gradual pruning schedule of Zhu & Gupta (2017): n pruning events spread evenly over a
/// span of training; event k (1…n) prunes to
///
///     s_k = s_f + (s_i − s_f)·(1 − k/n)³
///
/// so sparsity rises fast while the network has redundancy and slowly as it approaches the
/// final s_f. With s_i = 0, s_f = 0.9 and n = 4: 0.5203, 0.7875, 0.8859, 0.9.
public struct CubicSchedule: Equatable, Sendable {
    public var initial: Double
    public var steps: Int

    public init(initial: Double = 0, steps: Int) {
        self.initial = initial
        self.steps = max(steps, 1)
    }

    /// Sparsity after event k (1…steps) on the way to `final` (never above it).
    public func sparsity(event k: Int, final: Double) -> Double {
        let remaining = 1 - Double(k) / Double(steps)
        return min(final, final + (initial - final) * remaining * remaining * remaining)
    }

    /// The training batch before which event k happens, for events spread over `span` batches:
    /// ⌊(k − 1)·span / steps⌋ (the first event happens before any training).
    public func batch(event k: Int, span: Int) -> Int { (k - 1) * span / steps }
}
