/// Packing for the outer-product kernel: copies one column panel of B — k rows of up to
/// `MicroTile.columns` elements — into a contiguous k × 16 buffer, zero-padded on the right.
///
/// The kernel reads B in place whenever it can (unit column stride, whole 8- or 16-wide
/// panels); only a ragged last panel or a B whose rows are not contiguous is packed.
enum Packing {
    /// A panel of `b` starting at column j0 is read in place when its rows are contiguous and
    /// the kernel's 8- or 16-wide loads stay inside it.
    @inline(__always)
    static func readsInPlace(_ b: StridedMatrix, width: Int) -> Bool {
        b.columnStride == 1 && (width == MicroTile.columns || width == 8)
    }

    /// dst[p · 16 + j] = b[p, j0 + j] for j < width, 0 for width ≤ j < 16.
    static func packColumnPanel(_ b: StridedMatrix, from j0: Int, k: Int, width: Int, into dst: UnsafeMutablePointer<Float>) {
        let w = MicroTile.columns
        let panel = b.offset(0, j0), stepP = b.rowStride, stepJ = b.columnStride
        if stepP == 1 {
            // B is a transpose in memory: read each stored row (a column of the panel) in
            // order, a block of k at a time so the block's panel rows stay in L1.
            for p0 in stride(from: 0, to: k, by: 64) {
                let p1 = min(k, p0 + 64)
                for j in 0..<width {
                    let src = panel + j &* stepJ
                    for p in p0..<p1 { dst[p &* w &+ j] = src[p] }
                }
                for p in p0..<p1 { for j in width..<w { dst[p &* w &+ j] = 0 } }
            }
        } else {
            for p in 0..<k {
                let row = dst + p &* w, src = panel + p &* stepP
                for j in 0..<width { row[j] = src[j &* stepJ] }
                for j in width..<w { row[j] = 0 }
            }
        }
    }
}
