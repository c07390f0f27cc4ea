/// dst[0..<count] = src[0..<count] in 8-float vectors, the last one overlapping the one before
/// it (count ≥ 8; shorter runs go element by element). The copies of an image's rows into and
/// out of padded layouts are 7 to 32 floats each: inline vector moves instead of a `memmove`
/// call per row, which cost about as much as the copy itself.
@inlinable @inline(__always)
public func copyFloats(from src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int) {
    guard count >= 8 else {
        var i = 0
        while i < count { dst[i] = src[i]; i &+= 1 }
        return
    }
    var i = 0
    while i &+ 8 <= count { SIMD8(unalignedAt: src + i).store(to: dst + i); i &+= 8 }
    if i < count { SIMD8(unalignedAt: src + (count &- 8)).store(to: dst + (count &- 8)) }
}
