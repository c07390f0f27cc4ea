import Foundation
import WhittleNN
import WhittleTensor

/// Response distillation (Hinton, Vinyals & Dean 2015): the student's logits s match the
/// teacher's logits t softened by a temperature T, next to the usual cross-entropy:
///
///     L = (1 − α)·CE(s, y) + α·T²·KL(softmax(t/T) ‖ softmax(s/T))
///
/// KL is averaged over the batch (PyTorch's `reduction="batchmean"`). With p = softmax(s/T)
/// and q = softmax(t/T), dKL/ds = (p − q)/T per sample, so the T² factor leaves
/// dL/ds = (1 − α)·(softmax(s) − onehot(y))/N + α·T·(p − q)/N: the soft term's gradients keep
/// their size whatever T is.
///
/// Worked example (the test's): s = [0, 0], t = [ln 3, 0], T = 1 → q = [0.75, 0.25],
/// p = [0.5, 0.5], KL = 0.75·ln 1.5 + 0.25·ln 0.5 = 0.130812, dKL/ds = [−0.25, 0.25].
public enum ResponseDistillation {
    public static func loss(student: Tensor, teacher: Tensor, labels: [Int32], temperature: Float, alpha: Float) -> LossValue {
        let hard = Loss.softmaxCrossEntropy(logits: student, labels: labels)
        let soft = softenedKL(student: student, teacher: teacher, temperature: temperature)
        var grad = Tensor(shape: student.shape)
        for i in 0..<grad.count { grad.storage[i] = (1 - alpha) * hard.gradient.storage[i] + alpha * soft.gradient.storage[i] }
        return LossValue(loss: (1 - alpha) * hard.loss + alpha * soft.loss, gradient: grad)
    }

    /// T²·KL(softmax(t/T) ‖ softmax(s/T)), batch mean, and its gradient T·(p − q)/N w.r.t. s.
    public static func softenedKL(student: Tensor, teacher: Tensor, temperature: Float) -> LossValue {
        let n = student.shape[0], k = student.count / max(n, 1)
        let T = Double(temperature)
        var grad = Tensor(shape: student.shape)
        var total = 0.0
        for i in 0..<n {
            let p = logSoftmax(student.storage[(i * k)..<((i + 1) * k)], temperature: T)
            let q = logSoftmax(teacher.storage[(i * k)..<((i + 1) * k)], temperature: T)
            for j in 0..<k {
                let qj = exp(q[j])
                total += qj * (q[j] - p[j])
                grad.storage[i * k + j] = Float(T * (exp(p[j]) - qj) / Double(n))
            }
        }
        return LossValue(loss: Float(T * T * total / Double(max(n, 1))), gradient: grad)
    }

    /// log softmax(row / T), with the maximum subtracted first so large logits cannot overflow.
    static func logSoftmax(_ row: ArraySlice<Float>, temperature: Double) -> [Double] {
        let scaled = row.map { Double($0) / temperature }
        let m = scaled.max() ?? 0
        let logZ = log(scaled.reduce(0) { $0 + exp($1 - m) }) + m
        return scaled.map { $0 - logZ }
    }
}
