/// How a layer's int8 weights are stored. The logical order is the op's (see `Conv2D`,
/// `FullyConnected`); a storage only changes how the values are kept.
///
/// Dense for now; compressed sparse formats (issue 4) become further cases, and every consumer
/// that only needs values goes through `denseValues`.
public enum WeightStorage: Hashable, Sendable {
    /// Every value, in the op's logical order.
    case dense([Int8])

    /// Every weight in logical order, zeros included.
    public var denseValues: [Int8] {
        switch self {
        case .dense(let values): return values
        }
    }

    /// Number of logical weights (the dense element count).
    public var count: Int {
        switch self {
        case .dense(let values): return values.count
        }
    }

    /// A short name for reports and generated comments.
    public var formatName: String {
        switch self {
        case .dense: return "dense"
        }
    }
}
