/// The per-plane loops of `BatchNorm`, 8 floats at a time (a fixed order: the same bits on any
/// machine with the same vector width of the source, SIMD8). The gradient loops read dy from a
/// `GradientSource`, so a ReLU after the BatchNorm is applied to dy as it is read.
enum BatchNormKernels {
    /// Σ (x − mean)² over one plane; in double when the float sum overflows (a diverging run
    /// then still sees a finite variance, as with double accumulation throughout).
    @inline(__always)
    static func squaredDeviations(_ x: UnsafePointer<Float>, count: Int, from mean: Float) -> Double {
        var acc = SIMD8<Float>(), i = 0
        let m = SIMD8(repeating: mean)
        while i &+ 8 <= count { let d = SIMD8(unalignedAt: x + i) - m; acc.addProduct(d, d); i &+= 8 }
        var s = acc.sum()
        while i < count { let d = x[i] - mean; s.addProduct(d, d); i &+= 1 }
        if s.isFinite { return Double(s) }
        var wide = 0.0
        for j in 0..<count { let d = Double(x[j]) - Double(mean); wide += d * d }
        return wide
    }

    /// y = map(x · scale + shift).
    @inline(__always)
    static func affine<Map: ElementMap>(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, scale: Float, shift: Float,
                                        then map: Map) {
        var i = 0
        let a = SIMD8(repeating: scale), b = SIMD8(repeating: shift)
        while i &+ 8 <= count { map(SIMD8(unalignedAt: x + i) * a + b).store(to: y + i); i &+= 8 }
        while i < count { y[i] = map(x[i] * scale + shift); i &+= 1 }
    }

    /// (Σ dy, Σ dy · x̂) over one plane.
    @inline(__always)
    static func gradientSums<Gradient: GradientSource>(_ dy: Gradient, _ x: UnsafePointer<Float>, count: Int, mean: Float, inverseStd: Float) -> (Float, Float) {
        var a = SIMD8<Float>(), b = SIMD8<Float>(), i = 0
        let m = SIMD8(repeating: mean), inv = SIMD8(repeating: inverseStd)
        while i &+ 8 <= count {
            let g = dy.vector(at: i)
            a += g
            b.addProduct(g, (SIMD8(unalignedAt: x + i) - m) * inv)
            i &+= 8
        }
        var sa = a.sum(), sb = b.sum()
        while i < count { let g = dy.scalar(at: i); sa += g; sb.addProduct(g, (x[i] - mean) * inverseStd); i &+= 1 }
        return (sa, sb)
    }

    @inline(__always)
    static func inputGradient<Gradient: GradientSource>(_ dy: Gradient, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int,
                              mean: Float, inverseStd: Float, k: Float, meanDy: Float, meanDyH: Float) {
        var i = 0
        let m = SIMD8(repeating: mean), inv = SIMD8(repeating: inverseStd), kv = SIMD8(repeating: k)
        let mdy = SIMD8(repeating: meanDy), mdh = SIMD8(repeating: meanDyH)
        while i &+ 8 <= count {
            let h = (SIMD8(unalignedAt: x + i) - m) * inv
            (kv * (dy.vector(at: i) - mdy - h * mdh)).store(to: dx + i)
            i &+= 8
        }
        while i < count { dx[i] = k * (dy.scalar(at: i) - meanDy - (x[i] - mean) * inverseStd * meanDyH); i &+= 1 }
    }
}
