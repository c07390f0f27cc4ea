import XCTest
import Foundation
import WhittleCompress
import WhittleNN
import WhittleTensor

/// Each distillation loss against hand-computed (or reference-implementation) values on tiny
/// tensors, and each hand-derived gradient against central finite differences.
final class DistillationLossTests: XCTestCase {
    static func random(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var rng = RNG(seed: seed)
        return Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in rng.uniform(-scale, scale) })
    }

    /// Compares `analytic` with (f(x + h) − f(x − h)) / 2h for every element of x.
    static func checkGradient(_ x: Tensor, _ analytic: Tensor, h: Float = 1e-2, tolerance: Double = 2e-3,
                              file: StaticString = #filePath, line: UInt = #line, _ f: (Tensor) -> Float) {
        XCTAssertEqual(analytic.shape, x.shape, file: file, line: line)
        var probe = x
        for i in 0..<x.count {
            probe.storage[i] = x.storage[i] + h; let up = Double(f(probe))
            probe.storage[i] = x.storage[i] - h; let down = Double(f(probe))
            probe.storage[i] = x.storage[i]
            let numeric = (up - down) / Double(2 * h)
            XCTAssertEqual(Double(analytic.storage[i]), numeric, accuracy: tolerance * max(1, abs(numeric)),
                           "element \(i)", file: file, line: line)
        }
    }

    // MARK: response

    func testSoftenedKLByHand() {
        // q = softmax([ln 3, 0]) = [0.75, 0.25], p = [0.5, 0.5]: KL = 0.75·ln 1.5 + 0.25·ln 0.5.
        let s = Tensor(shape: [1, 2], storage: [0, 0]), t = Tensor(shape: [1, 2], storage: [Float(log(3.0)), 0])
        let kl = ResponseDistillation.softenedKL(student: s, teacher: t, temperature: 1)
        XCTAssertEqual(kl.loss, Float(0.75 * log(1.5) + 0.25 * log(0.5)), accuracy: 1e-6)
        XCTAssertEqual(kl.loss, 0.130812, accuracy: 1e-6)
        XCTAssertEqual(kl.gradient.storage[0], -0.25, accuracy: 1e-6)
        XCTAssertEqual(kl.gradient.storage[1], 0.25, accuracy: 1e-6)
    }

    func testResponseLossByHand() {
        // T = 2 turns t = [ln 9, 0] into the q above: T²·KL = 4 · 0.130812; CE(label 0) = ln 2.
        let s = Tensor(shape: [1, 2], storage: [0, 0]), t = Tensor(shape: [1, 2], storage: [Float(log(9.0)), 0])
        let v = ResponseDistillation.loss(student: s, teacher: t, labels: [0], temperature: 2, alpha: 0.5)
        XCTAssertEqual(v.loss, Float(0.5 * log(2.0) + 0.5 * 4 * 0.130812), accuracy: 1e-5)
        // (1 − α)(p − y) + α·T·(p − q) = 0.5·[−0.5, 0.5] + 0.5·2·[−0.25, 0.25]
        XCTAssertEqual(v.gradient.storage[0], -0.5, accuracy: 1e-6)
        XCTAssertEqual(v.gradient.storage[1], 0.5, accuracy: 1e-6)
        // α = 0 is plain cross-entropy, α = 1 ignores the labels.
        XCTAssertEqual(ResponseDistillation.loss(student: s, teacher: t, labels: [1], temperature: 2, alpha: 0).loss, Float(log(2.0)), accuracy: 1e-6)
        XCTAssertEqual(ResponseDistillation.loss(student: s, teacher: t, labels: [1], temperature: 2, alpha: 1).loss, 4 * 0.130812, accuracy: 1e-5)
    }

    func testResponseGradientMatchesFiniteDifferences() {
        let s = Self.random([4, 5], seed: 1, scale: 3), t = Self.random([4, 5], seed: 2, scale: 3)
        let labels: [Int32] = [0, 3, 4, 1]
        for (temperature, alpha) in [(Float(1), Float(0.5)), (4, 0.9), (0.5, 0.2)] {
            let v = ResponseDistillation.loss(student: s, teacher: t, labels: labels, temperature: temperature, alpha: alpha)
            Self.checkGradient(s, v.gradient, h: 1e-2) {
                ResponseDistillation.loss(student: $0, teacher: t, labels: labels, temperature: temperature, alpha: alpha).loss
            }
        }
    }

    func testIdenticalLogitsGiveNoSoftLoss() {
        let s = Self.random([3, 4], seed: 5, scale: 50) // large logits must not overflow
        let v = ResponseDistillation.softenedKL(student: s, teacher: s, temperature: 0.5)
        XCTAssertEqual(v.loss, 0, accuracy: 1e-5)
        XCTAssertTrue(v.gradient.storage.allSatisfy { abs($0) < 1e-6 })
    }

    // MARK: relation

    /// Student (0,0), (3,0), (0,4); teacher (0,0), (1,0), (0,1). Values and gradients from the
    /// authors' reference implementation run in PyTorch (float64).
    let triangleS = Tensor(shape: [3, 2], storage: [0, 0, 3, 0, 0, 4])
    let triangleT = Tensor(shape: [3, 2], storage: [0, 0, 1, 0, 0, 1])

    func testDistanceLossByHand() {
        // ψ_s = 3/4, 4/4, 5/4; ψ_t = (1, 1, √2)/μ_t with μ_t = (2 + √2)/3; each pair twice over 9.
        let mu = (2 + 2.0.squareRoot()) / 3
        let diffs = [0.75 - 1 / mu, 1 - 1 / mu, 1.25 - 2.0.squareRoot() / mu]
        let expected = 2 * diffs.reduce(0) { $0 + 0.5 * $1 * $1 } / 9
        let v = RelationalDistillation.distanceLoss(student: triangleS, teacher: triangleT)
        XCTAssertEqual(Double(v.loss), expected, accuracy: 1e-7)
        XCTAssertEqual(Double(v.loss), 0.0034812488, accuracy: 1e-7)
        let reference: [Double] = [0.0077786798, -0.0061102090, -0.0079112554, 0.0001767675, 0.0001325756, 0.0059334416]
        for (a, b) in zip(v.gradient.storage, reference) { XCTAssertEqual(Double(a), b, accuracy: 1e-7) }
    }

    func testAngleLossByHand() {
        let v = RelationalDistillation.angleLoss(student: triangleS, teacher: triangleT)
        XCTAssertEqual(Double(v.loss), 0.00074448195, accuracy: 1e-8)
        let reference: [Double] = [0.0010321469, -0.0021156895, -0.0016761050, 0.0008586108, 0.0006439581, 0.0012570787]
        for (a, b) in zip(v.gradient.storage, reference) { XCTAssertEqual(Double(a), b, accuracy: 1e-7) }
        // Similar triangles have equal angles: no loss, whatever the scale.
        let scaled = Tensor(shape: [3, 2], storage: triangleS.storage.map { $0 * 7 })
        XCTAssertEqual(RelationalDistillation.angleLoss(student: triangleS, teacher: scaled).loss, 0, accuracy: 1e-7)
        XCTAssertEqual(RelationalDistillation.distanceLoss(student: triangleS, teacher: scaled).loss, 0, accuracy: 1e-7)
    }

    func testRelationGradientsMatchFiniteDifferences() {
        // Widths differ between student and teacher; the larger scale puts some differences on
        // the linear side of the Huber loss.
        for scale: Float in [1, 6] {
            let s = Self.random([6, 4], seed: 11, scale: scale), t = Self.random([6, 3], seed: 12, scale: 1)
            let d = RelationalDistillation.distanceLoss(student: s, teacher: t)
            Self.checkGradient(s, d.gradient, h: 1e-2, tolerance: 1e-4) { RelationalDistillation.distanceLoss(student: $0, teacher: t).loss }
            let a = RelationalDistillation.angleLoss(student: s, teacher: t)
            Self.checkGradient(s, a.gradient, h: 1e-2, tolerance: 1e-4) { RelationalDistillation.angleLoss(student: $0, teacher: t).loss }
        }
    }

    func testCoincidentEmbeddingsAreSkipped() {
        // Rows 0 and 1 coincide: no direction, so no gradient through their distance, no NaN.
        let s = Tensor(shape: [3, 2], storage: [1, 1, 1, 1, 0, 2]), t = Self.random([3, 2], seed: 3)
        for v in [RelationalDistillation.distanceLoss(student: s, teacher: t), RelationalDistillation.angleLoss(student: s, teacher: t)] {
            XCTAssertTrue(v.loss.isFinite)
            XCTAssertTrue(v.gradient.isFinite)
        }
        let zero = Tensor(shape: [3, 2])
        XCTAssertEqual(RelationalDistillation.distanceLoss(student: zero, teacher: t).gradient.zeroCount, 6)
    }

    // MARK: feature

    func testHintLossByHand() throws {
        var rng = RNG(seed: 1)
        let adapter = try HintAdapter(studentShape: [2], teacherShape: [1], rng: &rng)
        let linear = try XCTUnwrap(adapter.layer as? Linear)
        linear.weight.value = Tensor(shape: [1, 2], storage: [1, 2])
        linear.bias!.value = Tensor(shape: [1], storage: [0])
        // adapter([1, 1]) = 3 against 1: 0.5 · (3 − 1)² = 2; d/ds = 0.5 · 2 · 2 · [1, 2].
        let v = adapter.loss(student: Tensor(shape: [1, 2], storage: [1, 1]), teacher: Tensor(shape: [1, 1], storage: [1]), weight: 0.5)
        XCTAssertEqual(v.loss, 2, accuracy: 1e-6)
        XCTAssertEqual(v.gradient.storage, [2, 4])
        XCTAssertEqual(linear.weight.grad.storage, [2, 2]) // 0.5 · 2 · 2 · s
        XCTAssertEqual(linear.bias!.grad.storage, [2])
    }

    func testAdapterShapes() throws {
        var rng = RNG(seed: 1)
        let conv = try XCTUnwrap(try HintAdapter(studentShape: [3, 8, 8], teacherShape: [32, 8, 8], rng: &rng).layer as? Conv2d)
        XCTAssertEqual(conv.weight.value.shape, [32, 3, 1, 1])
        XCTAssertEqual(conv.bias?.value.shape, [32])
        let linear = try XCTUnwrap(try HintAdapter(studentShape: [42], teacherShape: [128], rng: &rng).layer as? Linear)
        XCTAssertEqual(linear.weight.value.shape, [128, 42])
        XCTAssertThrowsError(try HintAdapter(studentShape: [3, 24, 24], teacherShape: [32, 12, 12], rng: &rng)) {
            XCTAssertTrue("\($0)".contains("spatial sizes differ"), "\($0)")
        }
        XCTAssertThrowsError(try HintAdapter(studentShape: [60], teacherShape: [64, 4, 4], rng: &rng)) {
            XCTAssertTrue("\($0)".contains("cannot adapt shape [60] to [64, 4, 4]"), "\($0)")
        }
    }

    func testHintGradientsMatchFiniteDifferences() throws {
        var rng = RNG(seed: 2)
        for (from, to) in [([3, 4, 4], [5, 4, 4]), ([6], [4])] {
            let adapter = try HintAdapter(studentShape: from, teacherShape: to, rng: &rng)
            let s = Self.random([2] + from, seed: 7), t = Self.random([2] + to, seed: 8)
            for p in adapter.parameters { p.zeroGrad() }
            let v = adapter.loss(student: s, teacher: t, weight: 3)
            let grads = adapter.parameters.map(\.grad)
            func value(_ x: Tensor) -> Float { adapter.loss(student: x, teacher: t, weight: 3).loss }
            Self.checkGradient(s, v.gradient, h: 1e-2, tolerance: 1e-3, value)
            for (p, g) in zip(adapter.parameters, grads) {
                let saved = p.value
                Self.checkGradient(saved, g, h: 1e-2, tolerance: 1e-3) { w in
                    p.value = w
                    defer { p.value = saved }
                    return value(s)
                }
            }
        }
    }
}
