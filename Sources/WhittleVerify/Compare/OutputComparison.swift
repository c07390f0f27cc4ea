/// The first output byte where the C and the reference differ.
public struct Mismatch: Codable, Hashable, Sendable, CustomStringConvertible {
    public var vector: Int
    public var index: Int
    public var c: Int8
    public var reference: Int8

    public init(vector: Int, index: Int, c: Int8, reference: Int8) {
        self.vector = vector
        self.index = index
        self.c = c
        self.reference = reference
    }

    public var description: String { "vector \(vector), output \(index): C \(c), reference \(reference)" }
}

/// Byte-for-byte comparison of C outputs with the reference interpreter's.
public struct OutputComparison: Codable, Hashable, Sendable {
    public var vectors: Int
    public var mismatchedBytes: Int
    public var mismatchedVectors: Int
    public var firstMismatch: Mismatch?

    public var bitExact: Bool { mismatchedBytes == 0 }

    public init(c: [Int8], reference: [Int8], outputSize: Int) {
        precondition(c.count == reference.count, "C wrote \(c.count) output bytes, the reference \(reference.count)")
        vectors = outputSize == 0 ? 0 : reference.count / outputSize
        mismatchedBytes = 0
        var vectorsWithMismatch = Set<Int>()
        for i in reference.indices where c[i] != reference[i] {
            mismatchedBytes += 1
            vectorsWithMismatch.insert(i / outputSize)
            if firstMismatch == nil {
                firstMismatch = Mismatch(vector: i / outputSize, index: i % outputSize, c: c[i], reference: reference[i])
            }
        }
        mismatchedVectors = vectorsWithMismatch.count
    }
}
