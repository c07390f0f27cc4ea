/// The stride-2 runs of `Im2col`: dst[o] = line[2o] and line[2o] += src[o], 8 outputs from 16
/// floats at a time instead of one element per step (stride-2 convolutions unfold and fold
/// these runs for every tap). A vector reads line[2o ..< 2o + 16], one float past the last
/// tap it uses, so vectors stop while the read stays at or before the run's last tap
/// line[2(count − 1)]: nothing outside the image is touched.

/// dst[0..<count] = line[0], line[2], …; the last vector overlaps the one before it (rewriting the same values).
@inline(__always)
func copyEvenElements(from line: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i &+ 9 <= count { SIMD16(unalignedAt: line + 2 &* i).evenHalf.store(to: dst + i); i &+= 8 }
    if i < count && count >= 9 {
        let last = count &- 9
        SIMD16(unalignedAt: line + 2 &* last).evenHalf.store(to: dst + last)
        i = count &- 1
    }
    while i < count { dst[i] = line[2 &* i]; i &+= 1 }
}

/// line[2o] += src[o] for o in 0..<count (each element added once, in the scalar loop's order).
@inline(__always)
func addToEvenElements(_ src: UnsafePointer<Float>, to line: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i &+ 9 <= count {
        var v = SIMD16(unalignedAt: line + 2 &* i)
        v.evenHalf += SIMD8(unalignedAt: src + i)
        v.store(to: line + 2 &* i)
        i &+= 8
    }
    while i < count { line[2 &* i] += src[i]; i &+= 1 }
}
