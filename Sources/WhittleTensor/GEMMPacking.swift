/// Packing for the outer-product kernel: copies one column panel of op(B) — k rows of up to
/// `MicroTile.columns` elements — into a contiguous k × 16 buffer, zero-padded on the right.
///
/// `Gemm.multiply` reads B in place whenever it can (not transposed, whole 8- or 16-wide
/// panels); only a ragged last panel or a transposed B that the dot kernel cannot take is
/// packed, so most calls pack nothing.
enum Packing {
    /// dst[p · 16 + j] = op(B)[p, j] for j < width, 0 for width ≤ j < 16.
    ///
    /// `panel` points at op(B)[0, 0] of the panel; element (p, j) of op(B) is at
    /// `panel[p · ldb + j]` when B is stored as is, `panel[j · ldb + p]` when transposed.
    static func packColumnPanel(
        _ panel: UnsafePointer<Float>, ldb: Int, transposed: Bool, k: Int, width: Int,
        into dst: UnsafeMutablePointer<Float>
    ) {
        let w = MicroTile.columns
        let stepP = transposed ? 1 : ldb, stepJ = transposed ? ldb : 1
        for p in 0..<k {
            let row = dst + p &* w, src = panel + p &* stepP
            for j in 0..<width { row[j] = src[j &* stepJ] }
            for j in width..<w { row[j] = 0 }
        }
    }
}
