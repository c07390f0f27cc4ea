/// PyTorch's MovingAverageMinMaxObserver: each batch's min and max move an exponential average,
/// min ← min + c·(batch_min − min), starting from the first batch's values. Outliers in one
/// batch move the range only by the fraction c.
public struct MovingAverageMinMaxObserver: RangeObserver {
    public let averagingConstant: Float
    private var current: ObservedRange?

    public init(averagingConstant: Float = 0.01) { self.averagingConstant = averagingConstant }

    public mutating func observe(_ values: UnsafeBufferPointer<Float>) {
        var batch = MinMaxObserver()
        batch.observe(values)
        guard let b = batch.range else { return }
        guard let c = current else { current = b; return }
        current = ObservedRange(min: c.min + averagingConstant * (b.min - c.min),
                                max: c.max + averagingConstant * (b.max - c.max))
    }

    public var range: ObservedRange? { current }
}
