/// A read-only matrix view: element (i, j) at `base[i · rowStride + j · columnStride]`.
/// A stored matrix and its transpose are the same memory with the strides swapped, which is
/// how `Gemm` hands op(A), op(B) — and, for products computed as Cᵀ, their transposes — to
/// one kernel.
package struct StridedMatrix {
    package var base: UnsafePointer<Float>
    package var rowStride: Int, columnStride: Int

    package init(base: UnsafePointer<Float>, rowStride: Int, columnStride: Int) {
        self.base = base; self.rowStride = rowStride; self.columnStride = columnStride
    }

    /// op(X) for X stored row-major with leading dimension `ld`: X itself, or Xᵀ.
    package init(_ stored: UnsafePointer<Float>, ld: Int, transposed: Bool) {
        self.init(base: stored, rowStride: transposed ? 1 : ld, columnStride: transposed ? ld : 1)
    }

    /// The view of this matrix's transpose.
    var transposed: StridedMatrix { StridedMatrix(base: base, rowStride: columnStride, columnStride: rowStride) }

    /// The address of element (i, j).
    @inline(__always)
    package func offset(_ i: Int, _ j: Int) -> UnsafePointer<Float> { base + i * rowStride + j * columnStride }

    /// The view whose element (0, 0) is this one's (i, j).
    package func view(from i: Int, _ j: Int) -> StridedMatrix {
        StridedMatrix(base: offset(i, j), rowStride: rowStride, columnStride: columnStride)
    }
}

/// The writable twin of `StridedMatrix`, for C.
package struct StridedMutableMatrix {
    package var base: UnsafeMutablePointer<Float>
    package var rowStride: Int, columnStride: Int

    package init(base: UnsafeMutablePointer<Float>, rowStride: Int, columnStride: Int) {
        self.base = base
        self.rowStride = rowStride
        self.columnStride = columnStride
    }

    var transposed: StridedMutableMatrix {
        StridedMutableMatrix(base: base, rowStride: columnStride, columnStride: rowStride)
    }

    @inline(__always)
    package func offset(_ i: Int, _ j: Int) -> UnsafeMutablePointer<Float> { base + i * rowStride + j * columnStride }

    package func view(from i: Int, _ j: Int) -> StridedMutableMatrix {
        StridedMutableMatrix(base: offset(i, j), rowStride: rowStride, columnStride: columnStride)
    }
}
