import WhittleTensor

/// The elementwise loops of activations and the graph's residual adds and gradient sums: 8
/// floats at a time, split over the cores when large (each element is computed the same way
/// wherever the split falls, so the split does not change any bit).
enum Elementwise {
    /// Below this many elements one core does the whole loop.
    static let parallelCount = 1 << 16

    /// Calls `body(offset, count)` over `0..<count` in contiguous parts.
    @inline(__always)
    static func split(_ count: Int, _ body: (Int, Int) -> Void) {
        Parallel.forEachChunk(count, chunks: count < parallelCount ? 1 : Parallel.workers) { r in body(r.lowerBound, r.count) }
    }

    /// Σ x, 8 partial sums then across them (a fixed order).
    @inline(__always)
    static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var i = 0, acc = SIMD8<Float>()
        while i &+ 8 <= count { acc += SIMD8(unalignedAt: x + i); i &+= 8 }
        var s = acc.sum()
        while i < count { s += x[i]; i &+= 1 }
        return s
    }

    /// out = a + b.
    static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
        add(a, b, into: out, count: count, then: Unchanged())
    }

    /// out = map(a + b): an add and the activation after it in one pass.
    static func add<Map: ElementMap>(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                                     count: Int, then map: Map) {
        split(count) { o, n in
            let a = a + o, b = b + o, out = out + o
            var i = 0
            while i &+ 8 <= n { map(SIMD8(unalignedAt: a + i) + SIMD8(unalignedAt: b + i)).store(to: out + i); i &+= 8 }
            while i < n { out[i] = map(a[i] + b[i]); i &+= 1 }
        }
    }

    /// out = min(max(x, 0), upper).
    static func clamp(_ x: UnsafePointer<Float>, upper: Float, into out: UnsafeMutablePointer<Float>, count: Int) {
        let clamp = Clamp(upper: upper)
        split(count) { o, n in
            let x = x + o, out = out + o
            var i = 0
            while i &+ 8 <= n { clamp(SIMD8(unalignedAt: x + i)).store(to: out + i); i &+= 8 }
            while i < n { out[i] = clamp(x[i]); i &+= 1 }
        }
    }

    /// out = dy where 0 < y < upper, else 0 (the clamp's gradient, from its output).
    static func clampGradient(_ dy: UnsafePointer<Float>, output y: UnsafePointer<Float>, upper: Float,
                              into out: UnsafeMutablePointer<Float>, count: Int) {
        split(count) { o, n in
            let g = ClampedGradient(dy: dy + o, y: y + o, upper: upper), out = out + o
            var i = 0
            while i &+ 8 <= n { g.vector(at: i).store(to: out + i); i &+= 8 }
            while i < n { out[i] = g.scalar(at: i); i &+= 1 }
        }
    }
}
