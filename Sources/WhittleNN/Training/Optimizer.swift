import WhittleTensor

/// Updates parameters from their gradients. `step` uses the learning rate it is given, so
/// schedules stay outside the optimizer.
public protocol Optimizer {
    func step(learningRate: Float)
}

/// SGD with PyTorch's semantics: d = g + λ·w; buf = μ·buf + d (buf = d on the first step);
/// Nesterov uses d + μ·buf, plain momentum uses buf; w −= lr · that.
public final class SGD: Optimizer {
    let parameters: [Parameter]
    let momentum, weightDecay: Float
    let nesterov: Bool
    private var velocity: [[Float]]
    private var started = false

    public init(parameters: [Parameter], momentum: Float = 0, weightDecay: Float = 0, nesterov: Bool = false) {
        self.parameters = parameters
        self.momentum = momentum; self.weightDecay = weightDecay; self.nesterov = nesterov
        velocity = parameters.map { _ in [] }
    }

    public func step(learningRate lr: Float) {
        let first = !started
        started = true
        for (pi, p) in parameters.enumerated() {
            let n = p.value.count
            if momentum != 0 && velocity[pi].isEmpty { velocity[pi] = [Float](repeating: 0, count: n) }
            p.value.withUnsafeMutablePointer { w in p.grad.withUnsafePointer { g in
                if momentum == 0 {
                    for i in 0..<n { w[i] -= lr * (g[i] + weightDecay * w[i]) }
                    return
                }
                velocity[pi].withUnsafeMutableBufferPointer { vb in
                    let v = vb.baseAddress!
                    for i in 0..<n {
                        let d = g[i] + weightDecay * w[i]
                        v[i] = first ? d : momentum * v[i] + d
                        w[i] -= lr * (nesterov ? d + momentum * v[i] : v[i])
                    }
                }
            }}
        }
    }
}

/// Adam (Kingma & Ba) with bias correction; weight decay added to the gradient as in
/// PyTorch's Adam (L2), not decoupled.
public final class Adam: Optimizer {
    let parameters: [Parameter]
    let beta1, beta2, eps, weightDecay: Float
    private var m: [[Float]], v: [[Float]]
    private var t: Float = 0

    public init(parameters: [Parameter], beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0) {
        self.parameters = parameters
        self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay
        m = parameters.map { [Float](repeating: 0, count: $0.value.count) }
        v = m
    }

    public func step(learningRate lr: Float) {
        t += 1
        let c1 = 1 - pow(beta1, t), c2 = 1 - pow(beta2, t)
        for (pi, p) in parameters.enumerated() {
            for i in 0..<p.value.count {
                let g = p.grad.storage[i] + weightDecay * p.value.storage[i]
                m[pi][i] = beta1 * m[pi][i] + (1 - beta1) * g
                v[pi][i] = beta2 * v[pi][i] + (1 - beta2) * g * g
                let mh = m[pi][i] / c1, vh = v[pi][i] / c2
                p.value.storage[i] -= lr * mh / (vh.squareRoot() + eps)
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
