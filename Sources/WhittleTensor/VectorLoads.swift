/// Unaligned 8-float loads and stores, for the vector loops of the kernels here and in
/// WhittleNN (inlinable, so they compile to single vector moves in the caller).
extension SIMD8 where Scalar == Float {
    @inlinable @inline(__always)
    public init(unalignedAt p: UnsafePointer<Float>) {
        self = UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inlinable @inline(__always)
    public func store(to p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: self, as: SIMD8<Float>.self)
    }
}

/// 16-float loads and stores, for the stride-2 runs of `Im2col` (Im2colStride2.swift).
extension SIMD16 where Scalar == Float {
    @inline(__always)
    init(unalignedAt p: UnsafePointer<Float>) {
        self = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    func store(to p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: self, as: SIMD16<Float>.self)
    }
}
