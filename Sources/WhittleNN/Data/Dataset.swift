import Foundation
import WhittleSupport
import WhittleTensor

/// How raw values become model inputs: x = (raw · scale − mean) / std.
/// For 8-bit images the default is scale 1/255, mean 0.5, std 0.5, i.e. inputs in [−1, 1].
public struct Normalization: Equatable, Codable, Sendable {
    public var scale: Float
    public var mean: Float
    public var std: Float

    public init(scale: Float = 1 / 255, mean: Float = 0.5, std: Float = 0.5) {
        self.scale = scale; self.mean = mean; self.std = std
    }

    @inline(__always) public func apply(_ raw: Float) -> Float { (raw * scale - mean) / std }
}

/// Samples of one shape, held as raw bytes (IDX images, synthetic digits) or floats, with a
/// label each (all 0 when the data has none: `isLabelled` is false).
public struct Dataset: Sendable {
    public enum Values: Sendable {
        case bytes([UInt8])
        case floats([Float])

        /// 8-bit data (images, most sensors): firmware gets a table from bytes to model inputs.
        public var isBytes: Bool { if case .bytes = self { return true } else { return false } }
    }

    public let name: String
    /// Per-sample shape, e.g. [channels, height, width]; may be re-viewed with equal element count.
    public var sampleShape: [Int]
    public let values: Values
    public let labels: [Int32]
    public let classes: Int
    public var normalization: Normalization
    /// False for data without labels (an autoencoder's); `labels` then holds zeros.
    public let isLabelled: Bool

    public init(name: String, sampleShape: [Int], values: Values, labels: [Int32], classes: Int,
                normalization: Normalization = Normalization(), isLabelled: Bool = true) {
        self.name = name; self.sampleShape = sampleShape; self.values = values
        self.labels = labels; self.classes = classes; self.normalization = normalization
        self.isLabelled = isLabelled
    }

    /// At most this many classes (labels 0…65,535).
    public static let classLimit = SizeLimit("classes", maximum: 1 << 16)

    public var count: Int { labels.count }
    public var sampleSize: Int { sampleShape.reduce(1, *) }

    /// The normalised inputs [n, …sampleShape] and labels of the given samples.
    public func batch<C: Collection>(_ indices: C) -> (inputs: Tensor, labels: [Int32]) where C.Element == Int {
        let size = sampleSize, norm = normalization
        var x = Tensor(shape: [indices.count] + sampleShape)
        x.withUnsafeMutablePointer { p in
            for (row, i) in indices.enumerated() {
                let dst = p + row * size
                switch values {
                case .bytes(let b): for j in 0..<size { dst[j] = norm.apply(Float(b[i * size + j])) }
                case .floats(let f): for j in 0..<size { dst[j] = norm.apply(f[i * size + j]) }
                }
            }
        }
        return (x, indices.map { labels[$0] })
    }

    /// The first `n` samples (all when n ≥ count).
    public func prefix(_ n: Int) -> Dataset { subset(Array(0..<min(n, count))) }

    public func subset(_ indices: [Int]) -> Dataset {
        let size = sampleSize
        let picked: Values
        switch values {
        case .bytes(let b): picked = .bytes(indices.flatMap { b[($0 * size)..<(($0 + 1) * size)] })
        case .floats(let f): picked = .floats(indices.flatMap { f[($0 * size)..<(($0 + 1) * size)] })
        }
        return Dataset(name: name, sampleShape: sampleShape, values: picked, labels: indices.map { labels[$0] },
                       classes: classes, normalization: normalization, isLabelled: isLabelled)
    }

    /// Sample order for one epoch in batches: shuffled by `rng` when given, else in order.
    /// The last batch may be short (PyTorch's drop_last=False).
    public func batchOrder(batchSize: Int, shuffle rng: inout RNG?) -> [ArraySlice<Int>] {
        var order = Array(0..<count)
        if rng != nil { rng!.shuffle(&order) }
        return stride(from: 0, to: count, by: batchSize).map { order[$0..<min($0 + batchSize, count)] }
    }
}
