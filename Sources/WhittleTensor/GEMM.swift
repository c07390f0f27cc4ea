/// Single-precision matrix multiply, row-major:
///
///     C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C
///
/// `op(X)` is X or Xᵀ. `lda`, `ldb`, `ldc` are the row strides of the matrices *as stored*
/// (so for a transposed A stored k×m, `lda` ≥ m). beta == 0 overwrites C without reading it
/// (NaN in C does not leak through).
///
/// Summation order along k is fixed, so results do not depend on threading.
///
/// Two register-blocked SIMD kernels do the work, both reading A (and mostly B) in place:
/// - C = A · Bᵀ with k ≥ 8 (fully connected forward, conv weight gradient): `dotTile`, 2 × 6
///   dot products of contiguous rows at a time, nothing packed.
/// - everything else: `outerProductTile`, 6 × 16 tiles of rank-1 updates over k, reading rows
///   of B in place; only a ragged last column panel, or a transposed B, is packed (`Packing`).
/// Which kernel runs depends only on (transA, transB, k), and within a kernel each element of C
/// is computed the same way wherever its tile falls, so any split of C gives identical bits.
public enum Gemm {
    public static func multiply(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "negative GEMM size m=\(m) n=\(n) k=\(k)")
        guard m > 0, n > 0 else { return }
        if usesDotKernel(transA: transA, transB: transB, k: k) {
            multiplyDot(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        } else {
            multiplyOuter(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                          a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }

    /// `multiply` with the columns of C (or, when C is too narrow, its rows) split over
    /// `Parallel.forEachChunk`. Never splits k, so the result is bit-identical to `multiply`.
    /// Small products run on the calling thread.
    public static func multiplyParallel(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let dot = usesDotKernel(transA: transA, transB: transB, k: k)
        let columnUnit = dot ? DotTile.columns : MicroTile.columns
        let rowUnit = dot ? DotTile.rows : MicroTile.rows
        let columnPanels = (n + columnUnit - 1) / columnUnit, rowPanels = (m + rowUnit - 1) / rowUnit
        let workers = Parallel.workers
        guard workers > 1, m * n * k >= parallelThreshold, max(columnPanels, rowPanels) > 1 else {
            multiply(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                     a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        if columnPanels >= workers || columnPanels >= rowPanels {
            Parallel.forEachChunk(columnPanels) { panels in
                let j0 = panels.lowerBound * columnUnit, j1 = min(n, panels.upperBound * columnUnit)
                multiply(transA: transA, transB: transB, m: m, n: j1 - j0, k: k, alpha: alpha,
                         a: a, lda: lda, b: b + (transB ? j0 * ldb : j0), ldb: ldb,
                         beta: beta, c: c + j0, ldc: ldc)
            }
        } else {
            Parallel.forEachChunk(rowPanels) { panels in
                let i0 = panels.lowerBound * rowUnit, i1 = min(m, panels.upperBound * rowUnit)
                multiply(transA: transA, transB: transB, m: i1 - i0, n: n, k: k, alpha: alpha,
                         a: a + (transA ? i0 : i0 * lda), lda: lda, b: b, ldb: ldb,
                         beta: beta, c: c + i0 * ldc, ldc: ldc)
            }
        }
    }

    /// Multiply-adds below which `multiplyParallel` stays on one thread: about where the
    /// cost of waking a second core stops being larger than the half of the work it takes.
    static let parallelThreshold = 1 << 17

    /// The kernel choice, from (transA, transB, k) only — never from m or n, which a split
    /// of C changes.
    @inline(__always)
    static func usesDotKernel(transA: Bool, transB: Bool, k: Int) -> Bool {
        transB && !transA && k >= DotTile.minimumK
    }

    /// C = alpha · A · Bᵀ + beta · C with A (m × k) and B (n × k) both stored with rows along k.
    private static func multiplyDot(
        m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let operands = DotTileOperands(k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, alpha: alpha, beta: beta)
        // Columns outer: the tile's B rows stay in L1 while rows of A stream past them.
        for j0 in stride(from: 0, to: n, by: DotTile.columns) {
            let cols = min(DotTile.columns, n - j0)
            for i0 in stride(from: 0, to: m, by: DotTile.rows) {
                dotTile(rows: min(DotTile.rows, m - i0), cols: cols,
                        operands.at(a: a + i0 * lda, b: b + j0 * ldb, c: c + i0 * ldc + j0))
            }
        }
    }

    private static func multiplyOuter(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let aRowStride = transA ? 1 : lda, aStride = transA ? lda : 1
        /// A panel is read in place when its B rows are contiguous and the kernel's 8- or
        /// 16-wide loads stay inside it.
        func inPlace(_ width: Int) -> Bool { !transB && (width == MicroTile.columns || width == 8) }
        let lastWidth = n - (n - 1) / MicroTile.columns * MicroTile.columns
        let packedCount = transB || !inPlace(lastWidth) ? k * MicroTile.columns : 0
        withUnsafeTemporaryAllocation(byteCount: packedCount * MemoryLayout<Float>.stride, alignment: 64) { raw in
            let packed = raw.baseAddress?.assumingMemoryBound(to: Float.self)
            // Columns outer: one B panel (k × 16) stays in L1 while the row tiles of A pass.
            for j0 in stride(from: 0, to: n, by: MicroTile.columns) {
                let width = min(MicroTile.columns, n - j0)
                var panel = b + (transB ? j0 * ldb : j0), bStride = ldb
                if !inPlace(width), let packed {
                    Packing.packColumnPanel(panel, ldb: ldb, transposed: transB, k: k, width: width, into: packed)
                    panel = UnsafePointer(packed)
                    bStride = MicroTile.columns
                }
                for i0 in stride(from: 0, to: m, by: MicroTile.rows) {
                    outerProductTile(rows: min(MicroTile.rows, m - i0), OuterTile(
                        k: k, a: a + i0 * aRowStride, aRowStride: aRowStride, aStride: aStride,
                        b: panel, bStride: bStride,
                        c: c + i0 * ldc + j0, ldc: ldc, width: width, alpha: alpha, beta: beta))
                }
            }
        }
    }

    /// The obviously-correct triple loop; the oracle for tests of the fast path.
    public static func reference(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k {
                    let av = transA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += av * bv
                }
                let old = beta == 0 ? 0 : beta * c[i * ldc + j]
                c[i * ldc + j] = alpha * sum + old
            }
        }
    }
}
