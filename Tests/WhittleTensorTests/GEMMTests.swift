import XCTest
import WhittleTensor

/// One GEMM call's shape and scalars, with operands stored `pad` elements wider than needed
/// so a kernel that ignores the leading dimensions or writes past a row is caught.
private struct GemmCase: CustomStringConvertible {
    var transA = false, transB = false
    var m: Int, n: Int, k: Int
    var alpha: Float = 1, beta: Float = 0
    var pad = 0

    var lda: Int { (transA ? m : k) + pad }
    var ldb: Int { (transB ? k : n) + pad }
    var ldc: Int { n + pad }
    var aCount: Int { (transA ? k : m) * lda }
    var bCount: Int { (transB ? n : k) * ldb }
    var cCount: Int { m * ldc }

    var description: String {
        "transA=\(transA) transB=\(transB) m=\(m) n=\(n) k=\(k) alpha=\(alpha) beta=\(beta) pad=\(pad)"
    }

    static func random(_ rng: inout RNG, maxSize: Int) -> GemmCase {
        let scalars: [Float] = [0, 1, -1, 0.5, 1.75]
        return GemmCase(transA: rng.int(below: 2) == 1, transB: rng.int(below: 2) == 1,
                        m: 1 + rng.int(below: maxSize), n: 1 + rng.int(below: maxSize), k: 1 + rng.int(below: maxSize),
                        alpha: scalars[1 + rng.int(below: 4)], beta: scalars[rng.int(below: 5)],
                        pad: [0, 1, 3, 8][rng.int(below: 4)])
    }
}

/// Operands for one case; the padding of C holds a sentinel that must survive.
private struct Operands {
    static let sentinel: Float = -12345
    var a, b, c: [Float]

    init(_ g: GemmCase, _ rng: inout RNG, cFill: Float? = nil) {
        a = (0..<g.aCount).map { _ in rng.uniform(-1, 1) }
        b = (0..<g.bCount).map { _ in rng.uniform(-1, 1) }
        c = [Float](repeating: Operands.sentinel, count: g.cCount)
        for i in 0..<g.m { for j in 0..<g.n { c[i * g.ldc + j] = cFill ?? rng.uniform(-1, 1) } }
    }
}

private typealias GemmFunction = (
    _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
    _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
    _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) -> Void

private let fast: GemmFunction = {
    Gemm.multiply(transA: $0, transB: $1, m: $2, n: $3, k: $4, alpha: $5, a: $6, lda: $7, b: $8, ldb: $9, beta: $10, c: $11, ldc: $12)
}
private let parallel: GemmFunction = {
    Gemm.multiplyParallel(transA: $0, transB: $1, m: $2, n: $3, k: $4, alpha: $5, a: $6, lda: $7, b: $8, ldb: $9, beta: $10, c: $11, ldc: $12)
}
private let reference: GemmFunction = {
    Gemm.reference(transA: $0, transB: $1, m: $2, n: $3, k: $4, alpha: $5, a: $6, lda: $7, b: $8, ldb: $9, beta: $10, c: $11, ldc: $12)
}

/// Runs `f` on the case's operands and returns the resulting C (padding included).
private func product(_ f: GemmFunction, _ g: GemmCase, _ x: Operands, a: [Float]? = nil, b: [Float]? = nil) -> [Float] {
    var c = x.c
    (a ?? x.a).withUnsafeBufferPointer { ap in (b ?? x.b).withUnsafeBufferPointer { bp in
        c.withUnsafeMutableBufferPointer { cp in
            f(g.transA, g.transB, g.m, g.n, g.k, g.alpha, ap.baseAddress!, g.lda, bp.baseAddress!, g.ldb,
              g.beta, cp.baseAddress!, g.ldc)
        }
    }}
    return c
}

final class GEMMTests: XCTestCase {
    /// Checks `multiply` against the reference within a float-rounding bound: the error of a
    /// k-term sum is at most about k · ε · Σ|a·b|, which the reference on |A|, |B| gives.
    private func assertMatchesReference(_ g: GemmCase, _ rng: inout RNG, cFill: Float? = nil,
                                        file: StaticString = #filePath, line: UInt = #line) {
        let x = Operands(g, &rng, cFill: cFill)
        let got = product(fast, g, x), want = product(reference, g, x)
        var absCase = g
        absCase.alpha = abs(g.alpha); absCase.beta = abs(g.beta)
        var absOperands = x
        absOperands.c = x.c.map { $0.isNaN ? 0 : abs($0) }
        let bound = product(reference, absCase, absOperands, a: x.a.map(abs), b: x.b.map(abs))
        for i in 0..<g.m {
            for j in 0..<g.n {
                let at = i * g.ldc + j
                let tolerance = Float(g.k + 2) * 1.2e-7 * bound[at] + 1e-30
                if !(abs(got[at] - want[at]) <= tolerance) {
                    XCTFail("\(g): C[\(i), \(j)] = \(got[at]), reference \(want[at])", file: file, line: line)
                    return
                }
            }
            for j in g.n..<g.ldc where got[i * g.ldc + j] != Operands.sentinel {
                XCTFail("\(g): wrote padding C[\(i), \(j)]", file: file, line: line)
                return
            }
        }
    }

    func testMatchesReferenceOnRandomShapes() {
        var rng = RNG(seed: 1)
        for _ in 0..<300 { assertMatchesReference(.random(&rng, maxSize: 100), &rng) }
    }

    /// Every tail of both kernels' blocks: rows around 2 and 6, columns around 6, 8 and 16,
    /// k around the 8-wide steps (and below the dot kernel's minimum).
    func testBlockEdges() {
        var rng = RNG(seed: 2)
        for m in [1, 2, 3, 5, 6, 7, 12, 13, 17] {
            for n in [1, 5, 6, 7, 8, 9, 15, 16, 17, 33] {
                for k in [1, 7, 8, 9, 16, 25] {
                    for transposes in 0..<4 {
                        let g = GemmCase(transA: transposes & 1 == 1, transB: transposes & 2 == 2,
                                         m: m, n: n, k: k, alpha: 1.5, beta: 0.5, pad: (m + n + k) % 3)
                        assertMatchesReference(g, &rng)
                    }
                }
            }
        }
    }

    /// beta == 0 must overwrite C without reading it: NaN in C never leaks through.
    func testBetaZeroIgnoresNaNInC() {
        var rng = RNG(seed: 3)
        for _ in 0..<100 {
            var g = GemmCase.random(&rng, maxSize: 40)
            g.beta = 0
            let got = product(fast, g, Operands(g, &rng, cFill: .nan))
            for i in 0..<g.m { for j in 0..<g.n { XCTAssertFalse(got[i * g.ldc + j].isNaN, "\(g)") } }
            assertMatchesReference(g, &rng, cFill: .nan)
        }
    }

    /// k == 0: C = beta · C (and exactly 0 when beta == 0).
    func testEmptyInnerDimension() {
        var rng = RNG(seed: 4)
        for beta: Float in [0, 0.5] {
            let g = GemmCase(m: 7, n: 19, k: 0, alpha: 2, beta: beta, pad: 2)
            let x = Operands(g, &rng, cFill: beta == 0 ? .nan : 3)
            let got = product(fast, g, x)
            for i in 0..<g.m { for j in 0..<g.n { XCTAssertEqual(got[i * g.ldc + j], beta * 3) } }
        }
    }

    /// The LeNet and MLP training shapes (conv per image, FC over a batch of 64).
    func testTrainingShapes() {
        var rng = RNG(seed: 5)
        let shapes: [(Bool, Bool, Int, Int, Int, Float)] = [
            (false, false, 6, 576, 25, 0), (false, false, 16, 64, 150, 0),
            (false, true, 6, 25, 576, 1), (false, true, 16, 150, 64, 1), (true, false, 150, 64, 16, 0),
            (false, true, 64, 120, 256, 0), (false, true, 64, 10, 84, 0), (false, true, 64, 300, 784, 0),
            (false, false, 64, 256, 120, 0), (false, false, 64, 784, 300, 0),
            (true, false, 120, 256, 64, 0), (true, false, 10, 84, 64, 0),
        ]
        for (ta, tb, m, n, k, beta) in shapes {
            assertMatchesReference(GemmCase(transA: ta, transB: tb, m: m, n: n, k: k, beta: beta), &rng)
        }
    }

    /// Within one plan, the value of an element must not depend on where tile boundaries
    /// fall: any block of C computed on its own (shifted operands, other tails) with the plan
    /// of the whole product gives the same bits. This is what makes `multiplyParallel` and any
    /// other split of C deterministic.
    func testSubblocksAreBitIdentical() {
        var rng = RNG(seed: 6)
        for _ in 0..<100 {
            let g = GemmCase.random(&rng, maxSize: 70)
            let x = Operands(g, &rng)
            let whole = product(fast, g, x)
            let i0 = rng.int(below: g.m), j0 = rng.int(below: g.n)
            let plan = GemmPlan(transA: g.transA, transB: g.transB, m: g.m, n: g.n, k: g.k)
            var block = x.c
            x.a.withUnsafeBufferPointer { ap in x.b.withUnsafeBufferPointer { bp in
                block.withUnsafeMutableBufferPointer { cp in
                    let a = StridedMatrix(ap.baseAddress!, ld: g.lda, transposed: g.transA)
                    let b = StridedMatrix(bp.baseAddress!, ld: g.ldb, transposed: g.transB)
                    let c = StridedMutableMatrix(base: cp.baseAddress!, rowStride: g.ldc, columnStride: 1)
                    Gemm.run(plan, m: g.m - i0, n: g.n - j0, k: g.k, alpha: g.alpha,
                             a: a.view(from: i0, 0), b: b.view(from: 0, j0), beta: g.beta, c: c.view(from: i0, j0))
                }
            }}
            for i in i0..<g.m {
                for j in j0..<g.n where block[i * g.ldc + j].bitPattern != whole[i * g.ldc + j].bitPattern {
                    XCTFail("\(g), \(plan): block from (\(i0), \(j0)) differs at (\(i), \(j))")
                    return
                }
            }
        }
    }

    /// Every plan on the same shapes agrees with the reference (the shape rules pick only
    /// one plan per shape, so force each in turn).
    func testEveryPlanMatchesReference() {
        var rng = RNG(seed: 9)
        for _ in 0..<100 {
            var g = GemmCase.random(&rng, maxSize: 60)
            g.transB = true
            g.transA = false
            g.k = max(g.k, DotTile.minimumK)
            let x = Operands(g, &rng)
            let want = product(reference, g, x)
            for plan in [GemmPlan.outerProduct, .transposedOuterProduct, .dotProduct] {
                var got = x.c
                x.a.withUnsafeBufferPointer { ap in x.b.withUnsafeBufferPointer { bp in
                    got.withUnsafeMutableBufferPointer { cp in
                        Gemm.run(plan, m: g.m, n: g.n, k: g.k, alpha: g.alpha,
                                 a: StridedMatrix(ap.baseAddress!, ld: g.lda, transposed: false),
                                 b: StridedMatrix(bp.baseAddress!, ld: g.ldb, transposed: true),
                                 beta: g.beta, c: StridedMutableMatrix(base: cp.baseAddress!, rowStride: g.ldc, columnStride: 1))
                    }
                }}
                for i in 0..<g.m {
                    for j in 0..<g.ldc {
                        let at = i * g.ldc + j
                        let ok = j < g.n ? abs(got[at] - want[at]) <= 1e-4 * Float(g.k) : got[at] == Operands.sentinel
                        if !ok { XCTFail("\(g), \(plan): C[\(i), \(j)] = \(got[at]), reference \(want[at])"); return }
                    }
                }
            }
        }
    }

    func testParallelIsBitIdentical() {
        var rng = RNG(seed: 7)
        var cases = (0..<20).map { _ in GemmCase.random(&rng, maxSize: 200) }
        cases += [GemmCase(transB: true, m: 64, n: 300, k: 784), GemmCase(m: 64, n: 784, k: 300),
                  GemmCase(transA: true, m: 300, n: 784, k: 64), GemmCase(transB: true, m: 64, n: 10, k: 1000),
                  GemmCase(transA: true, transB: true, m: 300, n: 7, k: 100, beta: 1)]
        for g in cases {
            let x = Operands(g, &rng)
            let one = product(fast, g, x), split = product(parallel, g, x)
            XCTAssertEqual(one.map(\.bitPattern), split.map(\.bitPattern), "\(g)")
        }
    }

    /// Both kernels' lane sums agree with the scalar tree they promise.
    func testHorizontalSumsMatchScalarTree() {
        var rng = RNG(seed: 8)
        for _ in 0..<50 {
            let v = (0..<4).map { _ in SIMD8<Float>((0..<8).map { _ in rng.uniform(-1e3, 1e3) }) }
            let four = horizontalSums(v[0], v[1], v[2], v[3])
            for j in 0..<4 {
                let l = v[j]
                let tree = ((l[0] + l[4]) + (l[1] + l[5])) + ((l[2] + l[6]) + (l[3] + l[7]))
                XCTAssertEqual(horizontalSum(l).bitPattern, tree.bitPattern)
                XCTAssertEqual(four[j].bitPattern, tree.bitPattern)
            }
        }
    }
}

extension GEMMTests {
    /// `multiplyGathered` reads B's rows wherever `bRows` says (overlapping, out of order) and
    /// gives the bits `multiply` gives on the same rows laid out as a matrix, on ragged widths
    /// too. The floats it may read past the rows are NaN here: they reach only lanes that are
    /// never stored.
    func testGatheredRowsEqualTheMatrix() {
        var rng = RNG(seed: 31)
        let shapes = [(6, 16, 9), (16, 840, 144), (64, 63, 576), (5, 17, 3), (1, 1, 1), (7, 33, 20), (13, 8, 2)]
            + (0..<30).map { _ in (1 + rng.int(below: 20), 1 + rng.int(below: 70), 1 + rng.int(below: 40)) }
        for (m, n, k) in shapes {
            let bufferCount = n + 3 * k
            var buffer = (0..<bufferCount).map { _ in rng.uniform(-1, 1) }
            buffer += [Float](repeating: .nan, count: Gemm.gatheredReadSlack)
            let offsets = (0..<k).map { _ in rng.int(below: bufferCount - n + 1) }
            let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
            let matrix = offsets.flatMap { buffer[$0..<($0 + n)] }
            for beta: Float in [0, 1] {
                let start = (0..<(m * n)).map { _ in rng.uniform(-1, 1) }
                var expected = start, gathered = start
                Gemm.multiply(m: m, n: n, k: k, a: a, lda: k, b: matrix, ldb: n, beta: beta, c: &expected, ldc: n)
                offsets.withUnsafeBufferPointer { o in
                    Gemm.multiplyGathered(m: m, n: n, k: k, a: a, lda: k, b: buffer, bRows: o.baseAddress!, beta: beta,
                                          c: &gathered, ldc: n)
                }
                XCTAssertEqual(gathered.map(\.bitPattern), expected.map(\.bitPattern), "m \(m) n \(n) k \(k) beta \(beta)")
            }
        }
    }

    /// The weight gradient's product dy · columnsᵀ with the columns gathered from anywhere:
    /// the bits of `multiply(transB: true)` on the rows laid out as a matrix wherever that
    /// takes the same (transposed outer-product) plan, the reference's values everywhere.
    func testGatheredTransposedRowsEqualTheMatrix() {
        var rng = RNG(seed: 37)
        let shapes = [(16, 144, 900), (32, 288, 225), (64, 576, 63), (12, 20, 40), (8, 9, 840), (1, 1, 1), (5, 17, 3)]
            + (0..<30).map { _ in (1 + rng.int(below: 40), 1 + rng.int(below: 70), 1 + rng.int(below: 90)) }
        for (m, n, k) in shapes {
            let bufferCount = k + 3 * n
            let buffer = (0..<bufferCount).map { _ in rng.uniform(-1, 1) }
            let offsets = (0..<n).map { _ in rng.int(below: bufferCount - k + 1) }
            let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
            let matrix = offsets.flatMap { buffer[$0..<($0 + k)] }
            let samePlan = GemmPlan(transA: false, transB: true, m: m, n: n, k: k) == .transposedOuterProduct
            for beta: Float in [0, 1] {
                let start = (0..<(m * n)).map { _ in rng.uniform(-1, 1) }
                var expected = start, gathered = start, reference = start
                Gemm.multiply(transB: true, m: m, n: n, k: k, a: a, lda: k, b: matrix, ldb: k, beta: beta, c: &expected, ldc: n)
                Gemm.reference(transB: true, m: m, n: n, k: k, a: a, lda: k, b: matrix, ldb: k, beta: beta, c: &reference, ldc: n)
                offsets.withUnsafeBufferPointer { o in
                    Gemm.multiplyGatheredTransposed(m: m, n: n, k: k, a: a, lda: k, b: buffer, bRows: o.baseAddress!,
                                                    beta: beta, c: &gathered, ldc: n)
                }
                if samePlan {
                    XCTAssertEqual(gathered.map(\.bitPattern), expected.map(\.bitPattern), "m \(m) n \(n) k \(k) beta \(beta)")
                }
                for (g, r) in zip(gathered, reference) {
                    XCTAssertEqual(g, r, accuracy: 1e-4 * Float(k).squareRoot() + 1e-5, "m \(m) n \(n) k \(k) beta \(beta)")
                }
            }
        }
    }
}
