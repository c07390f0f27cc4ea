/// The outer-product micro-kernel of `Gemm.multiply`: one register tile of C (or of Cᵀ, see
/// `GemmPlan.transposedOuterProduct`), up to `MicroTile.rows` × `MicroTile.columns` (6 × 16),
/// accumulated over the whole of k.
///
/// Per step p it loads one row of the B panel (two `SIMD8<Float>`), broadcasts the tile's
/// A values one by one and issues 12 fused multiply-adds into 12 accumulators — 15 of the 16
/// AVX2 registers. Every element of C is one FMA chain over p = 0, 1, …, k−1 starting from 0,
/// then `alpha · acc + beta · c`: its value does not depend on where the tile boundaries fall,
/// which is what makes `multiplyParallel` (and any other split of C) bit-identical.
enum MicroTile {
    static let rows = 6
    static let columns = 16
}

/// Writes `alpha · acc + beta · c` over the first `count` (≥ 1) lanes into c[0], c[stride],
/// …; beta == 0 never reads C. Whole vectors and single lanes do the same two roundings, so a
/// value does not depend on whether its column fell in a full or a partial vector, or on
/// whether the tile was stored transposed.
@inline(__always)
func storeScaled(_ acc: SIMD8<Float>, to c: UnsafeMutablePointer<Float>, stride: Int, count: Int, alpha: Float, beta: Float) {
    if count >= 8 && stride == 1 {
        var r = alpha * acc
        if beta != 0 { r += beta * SIMD8(unalignedAt: c) }
        r.store(to: c)
    } else {
        for l in 0..<min(count, 8) {
            let r = alpha * acc[l], dst = c + l &* stride
            dst.pointee = beta == 0 ? r : r + beta * dst.pointee
        }
    }
}

/// One 8-wide FMA step of one tile row.
@inline(__always)
private func step(_ lo: inout SIMD8<Float>, _ hi: inout SIMD8<Float>, _ a: Float,
                  _ b0: SIMD8<Float>, _ b1: SIMD8<Float>, wide: Bool) {
    let av = SIMD8<Float>(repeating: a)
    lo = lo.addingProduct(av, b0)
    if wide { hi = hi.addingProduct(av, b1) }
}

/// A tile dimension fixed at compile time: the kernels are generic over it, so each
/// specialisation is its own function with no branch on the tile shape in its k loop.
protocol TileExtent { static var count: Int { get } }
enum Extent1: TileExtent { static var count: Int { 1 } }
enum Extent2: TileExtent { static var count: Int { 2 } }
enum Extent3: TileExtent { static var count: Int { 3 } }
enum Extent4: TileExtent { static var count: Int { 4 } }
enum Extent5: TileExtent { static var count: Int { 5 } }
enum Extent6: TileExtent { static var count: Int { 6 } }

/// How the kernel finds row p of its B panel: `b + p · bStride` (a matrix), or `b +
/// bRows[p]` (rows anywhere: `Gemm.multiplyGathered`). A type, so each kernel is
/// specialised for one and its k loop has no branch on it.
protocol PanelRows { static var gathered: Bool { get } }
enum StridedRows: PanelRows { static var gathered: Bool { false } }
enum GatheredRows: PanelRows { static var gathered: Bool { true } }

/// One tile's operands for `outerProductTile`.
///
/// - a: element (i, p) at `a[i · aRowStride + p · aStride]` (or `a[aRows[i] + p · aStride]`
///   when `aRows` is set), read for the tile's rows only, so A is used in place whether it is
///   stored transposed or not, or as rows gathered from anywhere.
/// - b: element (p, j) at `b[p · bStride + j]` (or `b[bRows[p] + j]` when `bRows` is set),
///   read for j < 8 (`width` ≤ 8) or j < 16.
/// - c: element (i, j) of the tile at `c[i · cRowStride + j · cColumnStride]`; `width` (1…16)
///   columns are written. A column stride other than 1 stores the tile transposed, for
///   products computed as Cᵀ.
struct OuterTile {
    var k: Int
    var a: UnsafePointer<Float>, aRowStride: Int, aStride: Int
    var aRows: UnsafePointer<Int>? = nil
    var b: UnsafePointer<Float>, bStride: Int
    var bRows: UnsafePointer<Int>? = nil
    var c: UnsafeMutablePointer<Float>, cRowStride: Int, cColumnStride: Int, width: Int
    var alpha: Float, beta: Float
}

/// C[0..<Rows, 0..<width] = alpha · Σ_p a(·, p) ⊗ b(p, ·) + beta · C, with `Vectors` (1 or 2)
/// 8-wide column vectors.
@inline(never)
private func outerProductKernel<Rows: TileExtent, Vectors: TileExtent, Panel: PanelRows>(_: Rows.Type, _: Vectors.Type, _: Panel.Type,
                                                                                        _ t: OuterTile) {
    let rows = Rows.count, wide = Vectors.count > 1
    // Where each tile row of A starts, relative to row 0: set once per tile, so gathered
    // rows cost the k loop nothing.
    let row0 = t.aRows?[0] ?? 0
    @inline(__always) func rowOffset(_ i: Int) -> Int { i < rows ? (t.aRows.map { $0[i] - row0 } ?? i &* t.aRowStride) : 0 }
    let r1 = rowOffset(1), r2 = rowOffset(2), r3 = rowOffset(3), r4 = rowOffset(4), r5 = rowOffset(5)
    let z = SIMD8<Float>()
    var c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z
    var c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z
    var ap = t.a + row0, bp = t.b
    for p in 0..<t.k {
        if Panel.gathered { bp = t.b + t.bRows.unsafelyUnwrapped[p] }
        let b0 = SIMD8<Float>(unalignedAt: bp)
        let b1 = wide ? SIMD8<Float>(unalignedAt: bp + 8) : z
        step(&c00, &c01, ap[0], b0, b1, wide: wide)
        if rows > 1 { step(&c10, &c11, ap[r1], b0, b1, wide: wide) }
        if rows > 2 { step(&c20, &c21, ap[r2], b0, b1, wide: wide) }
        if rows > 3 { step(&c30, &c31, ap[r3], b0, b1, wide: wide) }
        if rows > 4 { step(&c40, &c41, ap[r4], b0, b1, wide: wide) }
        if rows > 5 { step(&c50, &c51, ap[r5], b0, b1, wide: wide) }
        ap += t.aStride
        if !Panel.gathered { bp += t.bStride }
    }
    let width = t.width, rest = width - 8, stride = t.cColumnStride
    @inline(__always) func put(_ i: Int, _ lo: SIMD8<Float>, _ hi: SIMD8<Float>) {
        let row = t.c + i * t.cRowStride
        storeScaled(lo, to: row, stride: stride, count: width, alpha: t.alpha, beta: t.beta)
        if rest > 0 { storeScaled(hi, to: row + 8 * stride, stride: stride, count: rest, alpha: t.alpha, beta: t.beta) }
    }
    put(0, c00, c01)
    if rows > 1 { put(1, c10, c11) }
    if rows > 2 { put(2, c20, c21) }
    if rows > 3 { put(3, c30, c31) }
    if rows > 4 { put(4, c40, c41) }
    if rows > 5 { put(5, c50, c51) }
}

/// Runs one tile of `rows` (1…6) rows on the kernel specialised for it.
func outerProductTile(rows: Int, _ t: OuterTile) {
    @inline(__always) func run<Vectors: TileExtent, Panel: PanelRows>(_ v: Vectors.Type, _ panel: Panel.Type) {
        switch rows {
        case 6: outerProductKernel(Extent6.self, v, panel, t)
        case 5: outerProductKernel(Extent5.self, v, panel, t)
        case 4: outerProductKernel(Extent4.self, v, panel, t)
        case 3: outerProductKernel(Extent3.self, v, panel, t)
        case 2: outerProductKernel(Extent2.self, v, panel, t)
        default: outerProductKernel(Extent1.self, v, panel, t)
        }
    }
    switch (t.width > 8, t.bRows != nil) {
    case (true, false): run(Extent2.self, StridedRows.self)
    case (false, false): run(Extent1.self, StridedRows.self)
    case (true, true): run(Extent2.self, GatheredRows.self)
    case (false, true): run(Extent1.self, GatheredRows.self)
    }
}
