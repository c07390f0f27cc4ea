import Foundation

/// Learning rate per epoch, as PyTorch's epoch-stepped schedulers compute it.
public enum Schedule: Equatable, Sendable {
    case constant
    /// lr · gamma^⌊epoch / stepSize⌋ (StepLR).
    case step(stepSize: Int, gamma: Double)
    /// η_min + (lr − η_min)·(1 + cos(π·epoch / epochs))/2 (CosineAnnealingLR with T_max = epochs).
    case cosine(minimum: Double)

    /// Learning rate for `epoch` (0-based) of `epochs`.
    public func rate(base: Double, epoch: Int, epochs: Int) -> Double {
        switch self {
        case .constant: return base
        case .step(let size, let gamma): return base * pow(gamma, Double(epoch / max(size, 1)))
        case .cosine(let minimum):
            return minimum + (base - minimum) * (1 + cos(Double.pi * Double(epoch) / Double(max(epochs, 1)))) / 2
        }
    }
}
