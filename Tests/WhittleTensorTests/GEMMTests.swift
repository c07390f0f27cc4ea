import XCTest
import WhittleTensor

final class GEMMTests: XCTestCase {
    func testMatchesReferenceOnRandomShapes() {
        var rng = RNG(seed: 1)
        for _ in 0..<50 {
            let m = 1 + rng.int(below: 40), n = 1 + rng.int(below: 70), k = 1 + rng.int(below: 90)
            let ta = rng.int(below: 2) == 1, tb = rng.int(below: 2) == 1
            let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
            let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
            var c1 = (0..<(m * n)).map { _ in rng.uniform(-1, 1) }
            var c2 = c1
            let beta: Float = rng.int(below: 2) == 1 ? 0.5 : 0
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
                c1.withUnsafeMutableBufferPointer { cp in
                    Gemm.multiply(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1.5,
                                  a: ap.baseAddress!, lda: ta ? m : k, b: bp.baseAddress!, ldb: tb ? k : n,
                                  beta: beta, c: cp.baseAddress!, ldc: n)
                }
                c2.withUnsafeMutableBufferPointer { cp in
                    Gemm.reference(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1.5,
                                   a: ap.baseAddress!, lda: ta ? m : k, b: bp.baseAddress!, ldb: tb ? k : n,
                                   beta: beta, c: cp.baseAddress!, ldc: n)
                }
            }}
            for i in 0..<(m * n) { XCTAssertEqual(c1[i], c2[i], accuracy: 1e-4 * Float(k)) }
        }
    }
}
