/// The dot-product micro-kernel of `Gemm.multiply` for C = A · Bᵀ with both A and B stored
/// with rows along k, when A has too few rows or C too few columns for the transposed outer
/// product (conv1 weight gradient: 6 channels; the last fully connected layer: 10 outputs):
/// up to `DotTile.rows` × `DotTile.columns` (2 × 6) elements of C, each a dot product of two
/// contiguous rows, so nothing is packed.
///
/// Each element is accumulated 8 lanes wide over p = 0, 8, 16, …; a last partial step loads
/// the final 8 elements of the rows (needs k ≥ 8) with the lanes already counted zeroed in
/// both operands; the 8 lanes are summed in one fixed tree (`horizontalSum`, or four at a
/// time by `horizontalSums`, which adds in the same order). The value of an element therefore
/// depends only on k, its A row and its B row — not on the tile it was in.
package enum DotTile {
    static let rows = 2
    static let columns = 6
    /// The kernel's last step reads 8 elements, so it needs rows at least this long.
    package static let minimumK = 8
}

/// ((l0 + l4) + (l1 + l5)) + ((l2 + l6) + (l3 + l7)): the one order every dot product is
/// summed in.
@inline(__always)
package func horizontalSum(_ v: SIMD8<Float>) -> Float {
    let s = v.lowHalf + v.highHalf
    let u = s.evenHalf + s.oddHalf
    return u[0] + u[1]
}

/// `horizontalSum` of four vectors at once: lane j is bit-identical to `horizontalSum(vj)`.
@inline(__always)
package func horizontalSums(_ v0: SIMD8<Float>, _ v1: SIMD8<Float>, _ v2: SIMD8<Float>, _ v3: SIMD8<Float>) -> SIMD4<Float> {
    let s0 = v0.lowHalf + v0.highHalf, s1 = v1.lowHalf + v1.highHalf
    let s2 = v2.lowHalf + v2.highHalf, s3 = v3.lowHalf + v3.highHalf
    let u01 = SIMD4(lowHalf: s0.evenHalf, highHalf: s1.evenHalf) + SIMD4(lowHalf: s0.oddHalf, highHalf: s1.oddHalf)
    let u23 = SIMD4(lowHalf: s2.evenHalf, highHalf: s3.evenHalf) + SIMD4(lowHalf: s2.oddHalf, highHalf: s3.oddHalf)
    return SIMD4(lowHalf: u01.evenHalf, highHalf: u23.evenHalf) + SIMD4(lowHalf: u01.oddHalf, highHalf: u23.oddHalf)
}

/// The 2 × 6 accumulators of one tile: `x` for row 0, `y` for row 1, one per column.
private struct DotAccumulators {
    var x0 = SIMD8<Float>(), x1 = SIMD8<Float>(), x2 = SIMD8<Float>()
    var x3 = SIMD8<Float>(), x4 = SIMD8<Float>(), x5 = SIMD8<Float>()
    var y0 = SIMD8<Float>(), y1 = SIMD8<Float>(), y2 = SIMD8<Float>()
    var y3 = SIMD8<Float>(), y4 = SIMD8<Float>(), y5 = SIMD8<Float>()

    /// One 8-wide step: A rows `a0`, `a1` against B rows 0..<cols, each B row loaded once.
    @inline(__always)
    mutating func add(rows: Int, cols: Int, _ a0: SIMD8<Float>, _ a1: SIMD8<Float>, _ b: (Int) -> SIMD8<Float>) {
        @inline(__always) func column(_ x: inout SIMD8<Float>, _ y: inout SIMD8<Float>, _ bv: SIMD8<Float>) {
            x = x.addingProduct(a0, bv)
            if rows > 1 { y = y.addingProduct(a1, bv) }
        }
        column(&x0, &y0, b(0))
        if cols > 1 { column(&x1, &y1, b(1)) }
        if cols > 2 { column(&x2, &y2, b(2)) }
        if cols > 3 { column(&x3, &y3, b(3)) }
        if cols > 4 { column(&x4, &y4, b(4)) }
        if cols > 5 { column(&x5, &y5, b(5)) }
    }
}

/// One tile's operands for `dotTile`: C[i, j] = alpha · ⟨A row i, B row j⟩ + beta · C[i, j],
/// rows of A `lda` apart, rows of B `ldb` apart, k ≥ `DotTile.minimumK`.
struct DotTileOperands {
    var k: Int
    var a: UnsafePointer<Float>, lda: Int
    var b: UnsafePointer<Float>, ldb: Int
    var c: UnsafeMutablePointer<Float>, ldc: Int
    var alpha: Float, beta: Float
    /// Lanes of the last 8 elements of a row that the whole 8-wide steps did not reach.
    var tailLanes: SIMDMask<SIMD8<Int32>>

    init(k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
         c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float) {
        self.k = k; self.a = a; self.lda = lda; self.b = b; self.ldb = ldb
        self.c = c; self.ldc = ldc; self.alpha = alpha; self.beta = beta
        tailLanes = Self.tailLanes(k: k)
    }

    /// Lane l of the last 8 (elements k − 8 + l) is fresh when k − 8 + l ≥ 8 · ⌊k / 8⌋.
    static func tailLanes(k: Int) -> SIMDMask<SIMD8<Int32>> {
        var mask = SIMDMask<SIMD8<Int32>>()
        for l in 0..<8 { mask[l] = l >= 8 - k % 8 }
        return mask
    }

    /// The same operands moved to another tile.
    @inline(__always)
    func at(a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) -> DotTileOperands {
        var t = self
        t.a = a; t.b = b; t.c = c
        return t
    }
}

@inline(never)
private func dotKernel<Rows: TileExtent, Cols: TileExtent>(_: Rows.Type, _: Cols.Type, _ t: DotTileOperands) {
    let rows = Rows.count, cols = Cols.count
    let k = t.k, a = t.a, b = t.b, ldb = t.ldb
    var acc = DotAccumulators()
    let z = SIMD8<Float>()
    let a1 = a + (rows > 1 ? t.lda : 0)
    var p = 0
    while p &+ 8 <= k {
        let q = p
        acc.add(rows: rows, cols: cols,
                SIMD8(unalignedAt: a + q), rows > 1 ? SIMD8(unalignedAt: a1 + q) : z,
                { SIMD8(unalignedAt: b + ($0 &* ldb &+ q)) })
        p &+= 8
    }
    if p < k {
        // The last k − p elements sit in the top lanes of the final 8; zero the lanes below.
        let last = k &- 8, fresh = t.tailLanes
        @inline(__always) func tail(_ row: UnsafePointer<Float>) -> SIMD8<Float> {
            z.replacing(with: SIMD8(unalignedAt: row + last), where: fresh)
        }
        acc.add(rows: rows, cols: cols, tail(a), rows > 1 ? tail(a1) : z, { tail(b + $0 &* ldb) })
    }

    // Row by row: columns 0…3 as one vector of four sums, 4…5 one by one.
    let alpha = t.alpha, beta = t.beta
    @inline(__always) func put(_ row: UnsafeMutablePointer<Float>, _ v0: SIMD8<Float>, _ v1: SIMD8<Float>,
                               _ v2: SIMD8<Float>, _ v3: SIMD8<Float>, _ v4: SIMD8<Float>, _ v5: SIMD8<Float>) {
        if cols >= 4 {
            var r = alpha * horizontalSums(v0, v1, v2, v3)
            if beta != 0 { r += beta * UnsafeRawPointer(row).loadUnaligned(as: SIMD4<Float>.self) }
            UnsafeMutableRawPointer(row).storeBytes(of: r, as: SIMD4<Float>.self)
        } else {
            storeScaled(horizontalSum(v0), to: row, alpha: alpha, beta: beta)
            if cols > 1 { storeScaled(horizontalSum(v1), to: row + 1, alpha: alpha, beta: beta) }
            if cols > 2 { storeScaled(horizontalSum(v2), to: row + 2, alpha: alpha, beta: beta) }
        }
        if cols > 4 { storeScaled(horizontalSum(v4), to: row + 4, alpha: alpha, beta: beta) }
        if cols > 5 { storeScaled(horizontalSum(v5), to: row + 5, alpha: alpha, beta: beta) }
    }
    put(t.c, acc.x0, acc.x1, acc.x2, acc.x3, acc.x4, acc.x5)
    if rows > 1 { put(t.c + t.ldc, acc.y0, acc.y1, acc.y2, acc.y3, acc.y4, acc.y5) }
}

/// c = alpha · sum + beta · c, the scalar twin of the vector epilogues (same two roundings).
@inline(__always)
private func storeScaled(_ sum: Float, to c: UnsafeMutablePointer<Float>, alpha: Float, beta: Float) {
    let r = alpha * sum
    c.pointee = beta == 0 ? r : r + beta * c.pointee
}

/// Runs one tile of `rows` (1…2) × `cols` (1…6) on the kernel specialised for it.
func dotTile(rows: Int, cols: Int, _ t: DotTileOperands) {
    @inline(__always) func run<Rows: TileExtent>(_ r: Rows.Type) {
        switch cols {
        case 6: dotKernel(r, Extent6.self, t)
        case 5: dotKernel(r, Extent5.self, t)
        case 4: dotKernel(r, Extent4.self, t)
        case 3: dotKernel(r, Extent3.self, t)
        case 2: dotKernel(r, Extent2.self, t)
        default: dotKernel(r, Extent1.self, t)
        }
    }
    if rows > 1 { run(Extent2.self) } else { run(Extent1.self) }
}
