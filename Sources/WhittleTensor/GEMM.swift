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
/// Two register-blocked SIMD kernels do the work (`GemmPlan` picks one from the whole shape):
/// `outerProductTile`, 6 × 16 tiles of rank-1 updates over k, which reads A in either layout
/// and rows of B in place and packs only what it cannot (a ragged last panel, a transposed
/// B); and `dotTile`, 2 × 6 dot products of contiguous rows, for A · Bᵀ. Within a plan each
/// element of C is computed the same way wherever its tile falls, so any split of C gives
/// identical bits.
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
        let plan = GemmPlan(transA: transA, transB: transB, m: m, n: n, k: k)
        run(plan, m: m, n: n, k: k, alpha: alpha,
            a: StridedMatrix(a, ld: lda, transposed: transA), b: StridedMatrix(b, ld: ldb, transposed: transB),
            beta: beta, c: StridedMutableMatrix(base: c, rowStride: ldc, columnStride: 1))
    }

    /// `multiply` with the columns or rows of C split over `Parallel.forEachChunk`. Never
    /// splits k, and every part uses the plan chosen for the whole product, so the result is
    /// bit-identical to `multiply`. Small products run on the calling thread.
    public static func multiplyParallel(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "negative GEMM size m=\(m) n=\(n) k=\(k)")
        let plan = GemmPlan(transA: transA, transB: transB, m: m, n: n, k: k)
        let opA = StridedMatrix(a, ld: lda, transposed: transA), opB = StridedMatrix(b, ld: ldb, transposed: transB)
        let opC = StridedMutableMatrix(base: c, rowStride: ldc, columnStride: 1)
        let columnPanels = (n + plan.columnUnit - 1) / plan.columnUnit
        let rowPanels = (m + plan.rowUnit - 1) / plan.rowUnit
        let workers = Parallel.workers
        // Split the side whose operand gets packed, so each part packs only its share; the
        // other side when the preferred one has too few panels to go round.
        let (preferred, other) = plan.packsA ? (rowPanels, columnPanels) : (columnPanels, rowPanels)
        let keepPreferred = preferred >= workers || preferred >= other
        let splitRows = plan.packsA ? keepPreferred : !keepPreferred
        if workers == 1 || m * n * k < parallelThreshold || max(columnPanels, rowPanels) < 2 {
            run(plan, m: m, n: n, k: k, alpha: alpha, a: opA, b: opB, beta: beta, c: opC)
        } else if !splitRows {
            Parallel.forEachChunk(columnPanels) { panels in
                let j0 = panels.lowerBound * plan.columnUnit, j1 = min(n, panels.upperBound * plan.columnUnit)
                run(plan, m: m, n: j1 - j0, k: k, alpha: alpha, a: opA, b: opB.view(from: 0, j0),
                    beta: beta, c: opC.view(from: 0, j0))
            }
        } else {
            Parallel.forEachChunk(rowPanels) { panels in
                let i0 = panels.lowerBound * plan.rowUnit, i1 = min(m, panels.upperBound * plan.rowUnit)
                run(plan, m: i1 - i0, n: n, k: k, alpha: alpha, a: opA.view(from: i0, 0), b: opB,
                    beta: beta, c: opC.view(from: i0, 0))
            }
        }
    }

    /// C[m×n] = A[m×k] · B + beta · C where row p of B is the n floats at `b + bRows[p]`
    /// (any rows of any buffer: the taps of a convolution read straight from the padded
    /// image, no column matrix). The rows are read in whole tile widths: up to
    /// `MicroTile.columns − 1` floats past each row's n must be readable (their products land
    /// in lanes that are never stored). Same arithmetic as `multiply` with those rows laid
    /// out as a matrix: bit-identical to it.
    /// Floats past the end of the last row of B that `multiplyGathered` may read.
    public static let gatheredReadSlack = MicroTile.columns

    public static func multiplyGathered(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                                        b: UnsafePointer<Float>, bRows: UnsafePointer<Int>,
                                        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        precondition(m >= 0 && n >= 0 && k >= 0, "negative GEMM size m=\(m) n=\(n) k=\(k)")
        guard m > 0, n > 0 else { return }
        outerProduct(m: m, n: n, k: k, alpha: 1, a: StridedMatrix(a, ld: lda, transposed: false),
                     b: StridedMatrix(base: b, rowStride: 0, columnStride: 1), beta: beta,
                     c: StridedMutableMatrix(base: c, rowStride: ldc, columnStride: 1), bRows: bRows)
    }

    /// C[m×n] = A[m×k] · Bᵀ + beta · C where row j of B (k floats) is at `b + bRows[j]`: a
    /// convolution's weight gradient, dy · columnsᵀ, with the columns read from the padded
    /// image. Computed as Cᵀ = B · Aᵀ, as `multiply(transB: true)` computes it for m ≥ 12
    /// (`GemmPlan.transposedOuterProduct`): bit-identical to that on the rows laid out as a
    /// matrix. Reads exactly k floats of each row.
    public static func multiplyGatheredTransposed(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                                                  b: UnsafePointer<Float>, bRows: UnsafePointer<Int>,
                                                  beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        precondition(m >= 0 && n >= 0 && k >= 0, "negative GEMM size m=\(m) n=\(n) k=\(k)")
        guard m > 0, n > 0 else { return }
        outerProduct(m: n, n: m, k: k, alpha: 1, a: StridedMatrix(base: b, rowStride: 0, columnStride: 1),
                     b: StridedMatrix(a, ld: lda, transposed: true), beta: beta,
                     c: StridedMutableMatrix(base: c, rowStride: ldc, columnStride: 1).transposed, aRows: bRows)
    }

    /// Multiply-adds below which `multiplyParallel` stays on one thread: about where the
    /// cost of waking a second core stops being larger than the half of the work it takes.
    static let parallelThreshold = 1 << 17

    /// C = alpha · A · B + beta · C on views (A m × k, B k × n, C m × n) by `plan`.
    package static func run(_ plan: GemmPlan, m: Int, n: Int, k: Int, alpha: Float,
                    a: StridedMatrix, b: StridedMatrix, beta: Float, c: StridedMutableMatrix) {
        guard m > 0, n > 0 else { return }
        switch plan {
        case .outerProduct:
            outerProduct(m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c)
        case .transposedOuterProduct:
            // Cᵀ = Bᵀ · Aᵀ: B's rows along k become the kernel's A, Aᵀ its (packed) B panels.
            outerProduct(m: n, n: m, k: k, alpha: alpha, a: b.transposed, b: a.transposed, beta: beta, c: c.transposed)
        case .dotProduct:
            dotProduct(m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c)
        }
    }

    /// The dot kernel over C: A's rows and B's columns must be contiguous along k.
    private static func dotProduct(m: Int, n: Int, k: Int, alpha: Float,
                                   a: StridedMatrix, b: StridedMatrix, beta: Float, c: StridedMutableMatrix) {
        let lda = a.rowStride, ldb = b.columnStride, ldc = c.rowStride
        let operands = DotTileOperands(k: k, a: a.base, lda: lda, b: b.base, ldb: ldb, c: c.base, ldc: ldc,
                                       alpha: alpha, beta: beta)
        // Columns outer: the tile's B rows stay in L1 while rows of A stream past them.
        for j0 in stride(from: 0, to: n, by: DotTile.columns) {
            let cols = min(DotTile.columns, n - j0)
            for i0 in stride(from: 0, to: m, by: DotTile.rows) {
                dotTile(rows: min(DotTile.rows, m - i0), cols: cols,
                        operands.at(a: a.offset(i0, 0), b: b.offset(0, j0), c: c.offset(i0, j0)))
            }
        }
    }

    /// The outer-product kernel over C in 6 × 16 tiles, column panels outer so one B panel
    /// (k × 16) stays in L1 while the row tiles pass. With `bRows`, row p of B starts at
    /// `b.base + bRows[p]` and is always read in place (the caller leaves slack past it);
    /// with `aRows`, row i of A starts at `a.base + aRows[i]`.
    private static func outerProduct(m: Int, n: Int, k: Int, alpha: Float, a: StridedMatrix, b: StridedMatrix, beta: Float,
                                     c: StridedMutableMatrix, aRows: UnsafePointer<Int>? = nil, bRows: UnsafePointer<Int>? = nil) {
        func readsInPlace(_ width: Int) -> Bool { bRows != nil || Packing.readsInPlace(b, width: width) }
        let lastWidth = n - (n - 1) / MicroTile.columns * MicroTile.columns
        let packs = !readsInPlace(MicroTile.columns) || !readsInPlace(lastWidth)
        let packedCount = packs ? k * MicroTile.columns : 0
        withUnsafeTemporaryAllocation(byteCount: packedCount * MemoryLayout<Float>.stride, alignment: 64) { raw in
            let packed = raw.baseAddress?.assumingMemoryBound(to: Float.self)
            for j0 in stride(from: 0, to: n, by: MicroTile.columns) {
                let width = min(MicroTile.columns, n - j0)
                var panel = b.offset(0, j0), bStride = b.rowStride
                if !readsInPlace(width), let packed {
                    Packing.packColumnPanel(b, from: j0, k: k, width: width, into: packed)
                    panel = UnsafePointer(packed)
                    bStride = MicroTile.columns
                }
                for i0 in stride(from: 0, to: m, by: MicroTile.rows) {
                    outerProductTile(rows: min(MicroTile.rows, m - i0), OuterTile(
                        k: k, a: aRows == nil ? a.offset(i0, 0) : a.base, aRowStride: a.rowStride, aStride: a.columnStride,
                        aRows: aRows.map { $0 + i0 }, b: panel, bStride: bStride, bRows: bRows, c: c.offset(i0, j0), cRowStride: c.rowStride,
                        cColumnStride: c.columnStride, width: width, alpha: alpha, beta: beta))
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

/// How one product is computed, chosen once from its whole shape so that every part of a
/// split product uses the same arithmetic.
package enum GemmPlan {
    /// 6 × 16 tiles of C by the outer-product kernel.
    case outerProduct
    /// 6 × 16 tiles of Cᵀ = op(B)ᵀ · op(A)ᵀ by the outer-product kernel, stored transposed:
    /// for A · Bᵀ (fully connected forward, conv weight gradient with 16 channels), where
    /// A packs into 16-row panels and B's rows feed the kernel in place.
    case transposedOuterProduct
    /// 2 × 6 tiles of dot products of contiguous rows, for A · Bᵀ with too few rows of A to
    /// fill the panels of `transposedOuterProduct`, or too few columns of C for its tiles.
    case dotProduct

    package init(transA: Bool, transB: Bool, m: Int, n: Int, k: Int) {
        if !transB || transA || k < DotTile.minimumK {
            self = .outerProduct
        } else if m >= Self.minimumPanelRows && n > MicroTile.columns {
            self = .transposedOuterProduct
        } else {
            self = .dotProduct
        }
    }

    /// Rows of A below which a 16-wide panel of Aᵀ is too empty to beat the dot kernel.
    static let minimumPanelRows = 12

    /// Whether A (rather than B, or nothing) is packed, which makes splitting C by rows
    /// cheaper than by columns.
    var packsA: Bool { self == .transposedOuterProduct }

    /// Columns and rows of C in one tile: the units `multiplyParallel` splits C in.
    var columnUnit: Int {
        switch self {
        case .outerProduct: MicroTile.columns
        case .transposedOuterProduct: MicroTile.rows
        case .dotProduct: DotTile.columns
        }
    }

    var rowUnit: Int {
        switch self {
        case .outerProduct: MicroTile.rows
        case .transposedOuterProduct: MicroTile.columns
        case .dotProduct: DotTile.rows
        }
    }
}
