import WhittleSupport

/// How a layer's int8 weights are stored. The logical order is the op's (see `Conv2D`,
/// `FullyConnected`); a storage only changes how the values are kept, never what they are.
/// Every consumer that needs values goes through `denseValues`; the kernel planner lays out the
/// compressed tables as they are.
///
/// The storage is the format decision (contract 3): WhittleLower's `SparseFormatChoice` picks it
/// per layer by a cost model and records it here, so the code generator only prints it.
public enum WeightStorage: Hashable, Sendable {
    /// Every value, in the op's logical order.
    case dense([Int8])
    /// Unstructured sparsity: kept values with 4-bit run-length gaps (see `IndexSparseWeights`).
    case indexSparse(IndexSparseWeights)
    /// Unstructured sparsity: kept values with a bitmap per output (see `BitmapSparseWeights`).
    case bitmap(BitmapSparseWeights)
    /// N:M sparsity: values with per-group index bits (see `NMSparseWeights`).
    case nm(NMSparseWeights)

    /// Encodes `logical` (the op's order, `outputs` rows) in `format`. `channels` is the
    /// reduction's channel count, which fixes the N:M group order (see `NMSparseWeights`).
    public init(encoding logical: [Int8], as format: WeightFormat, outputs: Int, channels: Int) throws {
        switch format {
        case .dense:
            self = .dense(logical)
        case .indexSparse:
            self = .indexSparse(IndexSparseWeights(encoding: logical, outputs: outputs))
        case .bitmap:
            self = .bitmap(BitmapSparseWeights(encoding: logical, outputs: outputs))
        case .nm(let n, let m):
            guard NMSparseWeights.isValidPattern(n: n, m: m) else {
                throw WeightFormatError("\(n):\(m) is not an N:M pattern; need 1 ≤ N < M ≤ \(NMSparseWeights.maxGroup)")
            }
            guard let weights = NMSparseWeights(encoding: logical, outputs: outputs, channels: channels, n: n, m: m) else {
                throw WeightFormatError("the weights do not follow \(n):\(m) (a group of \(m) holds more than \(n) nonzeros)")
            }
            self = .nm(weights)
        }
    }

    /// Every weight in logical order, zeros included.
    public var denseValues: [Int8] {
        switch self {
        case .dense(let values): return values
        case .indexSparse(let weights): return weights.denseValues
        case .bitmap(let weights): return weights.denseValues
        case .nm(let weights): return weights.denseValues
        }
    }

    /// The values table as stored: every weight dense; the kept values (N:M: with padding)
    /// otherwise.
    public var storedValues: [Int8] {
        switch self {
        case .dense(let values): return values
        case .indexSparse(let weights): return weights.values
        case .bitmap(let weights): return weights.values
        case .nm(let weights): return weights.values
        }
    }

    /// Number of logical weights (the dense element count).
    public var count: Int {
        switch self {
        case .dense(let values): return values.count
        // Saturating: the shape is the file's claim until the verifier has checked it.
        case .indexSparse(let weights): return checkedProduct(weights.outputs, weights.perOutput) ?? .max
        case .bitmap(let weights): return checkedProduct(weights.outputs, weights.perOutput) ?? .max
        case .nm(let weights): return checkedProduct(weights.outputs, weights.perOutput) ?? .max
        }
    }

    /// The format, without the data.
    public var format: WeightFormat {
        switch self {
        case .dense: return .dense
        case .indexSparse: return .indexSparse
        case .bitmap: return .bitmap
        case .nm(let weights): return .nm(n: weights.n, m: weights.m)
        }
    }

    /// A short name for reports and generated comments: "dense", "index", "bitmap", "2:4".
    public var formatName: String { format.name }

    /// Bytes of the weight tables in flash: values plus position information.
    public var byteCount: Int {
        switch self {
        case .dense(let values): return values.count
        case .indexSparse(let weights): return weights.byteCount
        case .bitmap(let weights): return weights.byteCount
        case .nm(let weights): return weights.byteCount
        }
    }

    /// Why a compressed storage is not a valid encoding of `outputs × perOutput` weights, or nil.
    public func problem(outputs: Int, perOutput: Int) -> String? {
        let shape: (Int, Int)
        let layout: String?
        switch self {
        case .dense: return nil
        case .indexSparse(let weights): (shape, layout) = ((weights.outputs, weights.perOutput), weights.problem)
        case .bitmap(let weights): (shape, layout) = ((weights.outputs, weights.perOutput), weights.problem)
        case .nm(let weights): (shape, layout) = ((weights.outputs, weights.perOutput), weights.problem)
        }
        guard shape == (outputs, perOutput) else {
            return "\(formatName) weights are \(shape.0) outputs × \(shape.1), the op has \(outputs) × \(perOutput)"
        }
        return layout.map { "\(formatName) weights: \($0)" }
    }
}

/// A compressed weight layout: it can list its stored values with their logical positions.
public protocol CompressedWeights {
    var outputs: Int { get }
    var perOutput: Int { get }
    /// Calls `body(output, position, value)` for every stored value (N:M padding
    /// included), in table order. Assumes a valid layout.
    func forEachValue(_ body: (_ output: Int, _ position: Int, _ value: Int8) -> Void)
}

extension CompressedWeights {
    /// Every weight in logical order, zeros included.
    public var denseValues: [Int8] {
        var dense = [Int8](repeating: 0, count: outputs * perOutput)
        forEachValue { o, position, value in dense[o * perOutput + position] = value }
        return dense
    }
}

/// A weight format without its data: what the format choice decides.
public enum WeightFormat: Hashable, Sendable, CustomStringConvertible {
    case dense
    case indexSparse
    case bitmap
    case nm(n: Int, m: Int)

    public var name: String {
        switch self {
        case .dense: return "dense"
        case .indexSparse: return "index"
        case .bitmap: return "bitmap"
        case .nm(let n, let m): return "\(n):\(m)"
        }
    }

    /// The format `name` names ("dense", "index", "bitmap", "N:M" with 1 ≤ N < M); nil otherwise.
    public init?(name: String) {
        switch name {
        case "dense": self = .dense
        case "index": self = .indexSparse
        case "bitmap": self = .bitmap
        default:
            let parts = name.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let n = Int(parts[0]), let m = Int(parts[1]), NMSparseWeights.isValidPattern(n: n, m: m) else { return nil }
            self = .nm(n: n, m: m)
        }
    }

    public var description: String { name }
}

/// Weights cannot be stored in the requested format.
public struct WeightFormatError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
