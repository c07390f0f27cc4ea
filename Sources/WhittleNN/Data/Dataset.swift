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

/// Labelled samples of one shape, held as raw bytes (IDX images, synthetic digits) or floats.
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

    public init(name: String, sampleShape: [Int], values: Values, labels: [Int32], classes: Int,
                normalization: Normalization = Normalization()) {
        self.name = name; self.sampleShape = sampleShape; self.values = values
        self.labels = labels; self.classes = classes; self.normalization = normalization
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
                       classes: classes, normalization: normalization)
    }

    /// Sample order for one epoch in batches: shuffled by `rng` when given, else in order.
    /// The last batch may be short (PyTorch's drop_last=False).
    public func batchOrder(batchSize: Int, shuffle rng: inout RNG?) -> [ArraySlice<Int>] {
        var order = Array(0..<count)
        if rng != nil { rng!.shuffle(&order) }
        return stride(from: 0, to: count, by: batchSize).map { order[$0..<min($0 + batchSize, count)] }
    }
}

/// Reads MNIST-layout folders: `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
/// `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each optionally `.gz`.
public enum IDXDataset {
    public enum Split: String { case train, test = "t10k" }

    public static func load(directory: String, split: Split, normalization: Normalization = Normalization()) throws -> Dataset {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw DataError("\(directory): data folder not found (Fashion-MNIST: apt-get install dataset-fashion-mnist)")
        }
        let imagesURL = try locate(directory, "\(split.rawValue)-images-idx3-ubyte")
        let labelsURL = try locate(directory, "\(split.rawValue)-labels-idx1-ubyte")
        return try assemble(images: try IDXFile(contentsOf: imagesURL), from: imagesURL.path,
                            labels: try IDXFile(contentsOf: labelsURL), from: labelsURL.path,
                            name: "\(URL(fileURLWithPath: directory).lastPathComponent)/\(split)", normalization: normalization)
    }

    /// A dataset from an images file and a labels file already read; errors name the files.
    public static func assemble(images: IDXFile, from imagesPath: String, labels labelFile: IDXFile, from labelsPath: String,
                                name: String, normalization: Normalization = Normalization()) throws -> Dataset {
        let imagesURL = URL(fileURLWithPath: imagesPath), labelsURL = URL(fileURLWithPath: labelsPath)
        let dims = images.dimensions
        guard dims.count == 3 || dims.count == 4 else {
            throw DataError("\(imagesURL.path): images must be N×H×W or N×C×H×W, got \(dims.count) dimensions")
        }
        let shape = dims.count == 3 ? [1, dims[1], dims[2]] : Array(dims[1...])
        guard labelFile.dimensions.count == 1 else {
            throw DataError("\(labelsURL.path): labels must be one-dimensional, got \(labelFile.dimensions.count) dimensions")
        }
        guard labelFile.dimensions[0] == dims[0] else {
            throw DataError("\(labelsURL.path): \(labelFile.dimensions[0]) labels for \(dims[0]) images in \(imagesURL.lastPathComponent)")
        }
        let labels: [Int32]
        switch labelFile.elements {
        case .bytes(let b): labels = b.map(Int32.init)
        case .floats(let f):
            let largest = Float(Dataset.classLimit.maximum - 1)
            guard let bad = f.firstIndex(where: { !($0 >= 0 && $0 <= largest && $0 == $0.rounded()) }) else {
                labels = f.map { Int32($0) }
                break
            }
            throw DataError("\(labelsURL.path): label \(bad) is \(f[bad]), not a class index (0…\(Dataset.classLimit.maximum - 1))")
        }
        guard dims[0] > 0 else { throw DataError("\(imagesURL.path): holds no samples") }
        let values: Dataset.Values
        var norm = normalization
        switch images.elements {
        case .bytes(let b): values = .bytes(b)
        case .floats(let f):
            if let bad = f.firstIndex(where: { !$0.isFinite }) {
                throw DataError("\(imagesURL.path): sample \(bad / shape.reduce(1, *)) contains \(f[bad]) (NaN/Inf)")
            }
            values = .floats(f)
            norm.scale = 1 // float data is taken as already in real units
        }
        let classes = Int(labels.max() ?? 0) + 1
        return Dataset(name: name, sampleShape: shape,
                       values: values, labels: labels, classes: classes, normalization: norm)
    }

    private static func locate(_ directory: String, _ base: String) throws -> URL {
        let dir = URL(fileURLWithPath: directory)
        for name in [base + ".gz", base] {
            let url = dir.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        throw DataError("\(directory): missing \(base)[.gz]")
    }
}
