/// The real-valued range a tensor takes, as seen over calibration data.
public struct ObservedRange: Equatable, Codable, Sendable {
    public var min: Float
    public var max: Float
    public init(min: Float, max: Float) { self.min = min; self.max = max }
}

/// Watches the values a tensor takes during calibration and proposes a range to quantize.
public protocol RangeObserver {
    mutating func observe(_ values: UnsafeBufferPointer<Float>)
    /// The proposed range; nil when nothing was observed.
    var range: ObservedRange? { get }
}

/// The plain observer: the smallest and largest value ever seen.
public struct MinMaxObserver: RangeObserver {
    private var lo = Float.infinity, hi = -Float.infinity
    public init() {}

    public mutating func observe(_ values: UnsafeBufferPointer<Float>) {
        for v in values {
            if v < lo { lo = v }
            if v > hi { hi = v }
        }
    }

    public var range: ObservedRange? { lo <= hi ? ObservedRange(min: lo, max: hi) : nil }
}
