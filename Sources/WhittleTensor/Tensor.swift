/// A contiguous, row-major Float32 tensor with value semantics.
///
/// Shapes follow PyTorch conventions: activations are NCHW, conv weights are
/// [out, in/groups, kh, kw], linear weights are [out, in]. Hot loops take the storage
/// through `withUnsafe…` pointers; `Tensor` itself stays a plain value.
public struct Tensor: Equatable, Sendable {
    public private(set) var shape: [Int]
    public var storage: [Float]

    public init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.storage = [Float](repeating: value, count: shape.reduce(1, *))
    }

    /// A tensor whose elements the caller will all overwrite before reading (skips zero-filling
    /// large activation and column buffers in hot paths).
    public init(uninitializedShape shape: [Int]) {
        self.shape = shape
        self.storage = [Float](unsafeUninitializedCapacity: shape.reduce(1, *)) { _, count in count = shape.reduce(1, *) }
    }

    public init(shape: [Int], storage: [Float]) {
        precondition(shape.reduce(1, *) == storage.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) elements, got \(storage.count)")
        self.shape = shape
        self.storage = storage
    }

    /// Number of elements.
    public var count: Int { storage.count }
    public var rank: Int { shape.count }

    public subscript(flat index: Int) -> Float {
        get { storage[index] }
        set { storage[index] = newValue }
    }

    /// The same elements viewed with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, storage: storage)
    }

    public mutating func fill(_ value: Float) {
        for i in storage.indices { storage[i] = value }
    }

    @inlinable
    public func withUnsafePointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    @inlinable
    public mutating func withUnsafeMutablePointer<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }

    /// Number of elements that are exactly zero.
    public var zeroCount: Int { storage.reduce(0) { $0 + ($1 == 0 ? 1 : 0) } }

    /// True when every element is finite (no NaN, no ±Inf).
    public var isFinite: Bool { storage.allSatisfy { $0.isFinite } }
}
