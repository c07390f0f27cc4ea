/// What a pass applies to each value it writes: nothing, or the clamp of a ReLU/ReLU6. Loops
/// generic over it let one pass do the work of two layers (BatchNorm then ReLU, add then ReLU)
/// with the same bits as the two passes.
protocol ElementMap {
    func callAsFunction(_ v: SIMD8<Float>) -> SIMD8<Float>
    func callAsFunction(_ v: Float) -> Float
}

struct Unchanged: ElementMap {
    @inline(__always) func callAsFunction(_ v: SIMD8<Float>) -> SIMD8<Float> { v }
    @inline(__always) func callAsFunction(_ v: Float) -> Float { v }
}

/// min(max(v, 0), upper).
struct Clamp: ElementMap {
    let upper: Float
    /// `upper` in every lane, made once (see ClampedGradient).
    private let upperVector: SIMD8<Float>

    init(upper: Float) {
        self.upper = upper
        upperVector = SIMD8(repeating: upper)
    }

    @inline(__always) func callAsFunction(_ v: SIMD8<Float>) -> SIMD8<Float> {
        // Selects, not SIMD's clamped(…), whose generic pointwise min/max stay calls.
        var v = v
        v.replace(with: SIMD8<Float>(), where: .!(v .> SIMD8<Float>()))
        v.replace(with: upperVector, where: v .> upperVector)
        return v
    }

    @inline(__always) func callAsFunction(_ v: Float) -> Float { min(max(v, 0), upper) }
}

/// Where a backward pass reads the gradient at a layer's output: as given, or through the
/// clamp after it (dy where 0 < y < upper, else 0, from the clamp's output y).
protocol GradientSource {
    func vector(at i: Int) -> SIMD8<Float>
    func scalar(at i: Int) -> Float
    func advanced(by offset: Int) -> Self
}

struct DirectGradient: GradientSource {
    let dy: UnsafePointer<Float>

    @inline(__always) func vector(at i: Int) -> SIMD8<Float> { SIMD8(unalignedAt: dy + i) }
    @inline(__always) func scalar(at i: Int) -> Float { dy[i] }
    @inline(__always) func advanced(by offset: Int) -> Self { DirectGradient(dy: dy + offset) }
}

struct ClampedGradient: GradientSource {
    let dy: UnsafePointer<Float>
    /// The clamp's output.
    let y: UnsafePointer<Float>
    let upper: Float
    /// `upper` in every lane, made once: made per vector inside BatchNorm's loops, the
    /// comparison with it was done lane by lane.
    private let upperVector: SIMD8<Float>

    init(dy: UnsafePointer<Float>, y: UnsafePointer<Float>, upper: Float) {
        self.dy = dy; self.y = y; self.upper = upper
        upperVector = SIMD8(repeating: upper)
    }

    @inline(__always) func vector(at i: Int) -> SIMD8<Float> {
        let v = SIMD8(unalignedAt: y + i), zero = SIMD8<Float>()
        return zero.replacing(with: SIMD8(unalignedAt: dy + i), where: v .> zero .& v .< upperVector)
    }

    @inline(__always) func scalar(at i: Int) -> Float { y[i] > 0 && y[i] < upper ? dy[i] : 0 }
    @inline(__always) func advanced(by offset: Int) -> Self { ClampedGradient(dy: dy + offset, y: y + offset, upper: upper) }
}
