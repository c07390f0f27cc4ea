import WhittleTensor

/// `Gemm.multiply` split by rows of C across the cores. Rows are independent and the
/// summation order along k is unchanged, so the result is bit-identical to one call.
enum GemmRows {
    static func multiply(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        // Below ~100k MACs a thread hand-off costs more than it saves.
        let chunks = m * n * k < 100_000 ? 1 : Parallel.workers
        Parallel.forEachChunk(m, chunks: chunks) { rows in
            let aStart = transA ? a + rows.lowerBound : a + rows.lowerBound * lda
            Gemm.multiply(transA: transA, transB: transB, m: rows.count, n: n, k: k,
                          a: aStart, lda: lda, b: b, ldb: ldb,
                          beta: beta, c: c + rows.lowerBound * ldc, ldc: ldc)
        }
    }
}
