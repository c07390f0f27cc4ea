import Foundation
import WhittleNN
import WhittleTensor

/// Relational knowledge distillation (Park, Kim, Lu & Cho 2019): the student copies how the
/// teacher's embeddings of a batch relate to each other, not the embeddings themselves, so the
/// two may have different widths. Embeddings are the rows of [N, …] tensors (flattened per
/// sample). Both losses follow the authors' reference implementation, with smooth-L1 (Huber,
/// δ = 1: ½x² for |x| < 1, else |x| − ½) on the differences:
///
/// - distance: ψ(i, j) = ‖e_i − e_j‖ / μ, μ the mean of the positive distances of the batch;
///   the loss is the mean over all N² ordered pairs (the diagonal is 0 on both sides) of
///   Huber(ψ_s − ψ_t).
/// - angle: cos∠(e_j, e_i, e_k) = ⟨u_ij, u_ik⟩ with u_ij = (e_j − e_i)/‖e_j − e_i‖ (0 when
///   e_j = e_i); the loss is the mean over all N³ triplets of Huber(cos_s − cos_t).
///
/// Gradients (w.r.t. the student rows only; the teacher is fixed), with g the Huber slope
/// clamp(x, −1, 1) divided by the count of terms:
/// - distance: dL/dd_ij = g_ij/μ − (Σ g·ψ_s)/(μ·P) for d_ij > 0 (P positive pairs, the second
///   term from μ), then dd_ij/de_i = (e_i − e_j)/d_ij = −dd_ij/de_j.
/// - angle: per vertex i, with U the rows u_ij and A = U·Uᵀ, dL/dU = (G + Gᵀ)·U; through the
///   normalisation, dL/dv = (I − u·uᵀ)·dL/du / ‖v‖ for v = e_j − e_i, added to e_j, taken from e_i.
///
/// Worked example (the test's): student rows (0,0), (3,0), (0,4) and teacher rows (0,0), (1,0),
/// (0,1): distances 3, 4, 5 (μ = 4) against 1, 1, √2 (μ = (2 + √2)/3); the distance loss is
/// 0.0034812, the angle loss 0.00074448 (the reference implementation's values in PyTorch).
public enum RelationalDistillation {
    public static func distanceLoss(student: Tensor, teacher: Tensor) -> LossValue {
        let n = student.shape[0], ds = student.count / max(n, 1)
        let psiS = normalizedDistances(student), psiT = normalizedDistances(teacher)
        let terms = Double(n * n)
        var loss = 0.0, gPsiSum = 0.0
        var g = [Double](repeating: 0, count: n * n)
        for p in 0..<(n * n) {
            let x = psiS.psi[p] - psiT.psi[p]
            loss += huber(x)
            g[p] = huberSlope(x) / terms
            gPsiSum += g[p] * psiS.psi[p]
        }
        var grad = [Double](repeating: 0, count: student.count)
        if psiS.mean > 0 {
            let meanTerm = gPsiSum / (psiS.mean * Double(psiS.positive))
            let e = student.storage
            for i in 0..<n { for j in 0..<n where psiS.distance[i * n + j] > 0 {
                let d = psiS.distance[i * n + j]
                let dd = (g[i * n + j] / psiS.mean - meanTerm) / d
                for c in 0..<ds {
                    let v = dd * Double(e[i * ds + c] - e[j * ds + c])
                    grad[i * ds + c] += v
                    grad[j * ds + c] -= v
                }
            }}
        }
        return LossValue(loss: Float(loss / terms), gradient: Tensor(shape: student.shape, storage: grad.map(Float.init)))
    }

    public static func angleLoss(student: Tensor, teacher: Tensor) -> LossValue {
        let n = student.shape[0], ds = student.count / max(n, 1), dt = teacher.count / max(n, 1)
        let terms = Double(n * n * n)
        var loss = 0.0
        var grad = [Float](repeating: 0, count: student.count)
        var us = [Float](repeating: 0, count: n * ds), ut = [Float](repeating: 0, count: n * dt)
        var rs = [Float](repeating: 0, count: n), rt = [Float](repeating: 0, count: n)
        var cs = [Float](repeating: 0, count: n * n), ct = [Float](repeating: 0, count: n * n)
        var dU = [Float](repeating: 0, count: n * ds)
        for i in 0..<n {
            unitDifferences(student.storage, n: n, width: ds, vertex: i, into: &us, lengths: &rs)
            unitDifferences(teacher.storage, n: n, width: dt, vertex: i, into: &ut, lengths: &rt)
            gram(us, n: n, width: ds, into: &cs)
            gram(ut, n: n, width: dt, into: &ct)
            for p in 0..<(n * n) {
                let x = Double(cs[p] - ct[p])
                loss += huber(x)
                cs[p] = Float(huberSlope(x) / terms) // now G, symmetric
            }
            // dL/dU = (G + Gᵀ)·U = 2·G·U
            cs.withUnsafeBufferPointer { g in us.withUnsafeBufferPointer { u in dU.withUnsafeMutableBufferPointer { d in
                Gemm.multiply(m: n, n: ds, k: n, alpha: 2, a: g.baseAddress!, lda: n, b: u.baseAddress!, ldb: ds,
                              c: d.baseAddress!, ldc: ds)
            }}}
            for j in 0..<n where rs[j] > 0 {
                var along: Float = 0
                for c in 0..<ds { along += dU[j * ds + c] * us[j * ds + c] }
                for c in 0..<ds {
                    let v = (dU[j * ds + c] - along * us[j * ds + c]) / rs[j]
                    grad[j * ds + c] += v
                    grad[i * ds + c] -= v
                }
            }
        }
        return LossValue(loss: Float(loss / terms), gradient: Tensor(shape: student.shape, storage: grad))
    }

    /// Smooth-L1 with δ = 1 (PyTorch's `smooth_l1_loss` with β = 1).
    static func huber(_ x: Double) -> Double { abs(x) < 1 ? 0.5 * x * x : abs(x) - 0.5 }
    static func huberSlope(_ x: Double) -> Double { min(max(x, -1), 1) }

    /// Pairwise distances [N·N], their mean over positive entries, and the distances divided by it.
    static func normalizedDistances(_ e: Tensor) -> (distance: [Double], psi: [Double], mean: Double, positive: Int) {
        let n = e.shape[0], d = e.count / max(n, 1)
        var dist = [Double](repeating: 0, count: n * n)
        var sum = 0.0, positive = 0
        for i in 0..<n { for j in 0..<n where j != i {
            var s = 0.0
            for c in 0..<d { let v = Double(e.storage[i * d + c] - e.storage[j * d + c]); s += v * v }
            dist[i * n + j] = s.squareRoot()
            if s > 0 { sum += dist[i * n + j]; positive += 1 }
        }}
        let mean = positive > 0 ? sum / Double(positive) : 0
        return (dist, mean > 0 ? dist.map { $0 / mean } : dist, mean, positive)
    }

    /// Rows u_j = (e_j − e_i)/‖e_j − e_i‖ (0 where the length is 0) and the lengths.
    static func unitDifferences(_ e: [Float], n: Int, width d: Int, vertex i: Int, into u: inout [Float], lengths: inout [Float]) {
        for j in 0..<n {
            var s: Float = 0
            for c in 0..<d { let v = e[j * d + c] - e[i * d + c]; u[j * d + c] = v; s += v * v }
            let r = s.squareRoot()
            lengths[j] = r
            let inv: Float = r > 0 ? 1 / r : 0
            for c in 0..<d { u[j * d + c] *= inv }
        }
    }

    /// U·Uᵀ for U [n, width].
    static func gram(_ u: [Float], n: Int, width: Int, into c: inout [Float]) {
        u.withUnsafeBufferPointer { a in c.withUnsafeMutableBufferPointer { cp in
            Gemm.multiply(transB: true, m: n, n: n, k: width, a: a.baseAddress!, lda: width, b: a.baseAddress!, ldb: width,
                          c: cp.baseAddress!, ldc: n)
        }}
    }
}
