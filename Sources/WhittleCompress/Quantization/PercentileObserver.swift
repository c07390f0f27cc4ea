/// Clips the range to the given lower and upper percentiles of the values seen (e.g. 99.99 %),
/// trading a few saturated outliers for finer steps everywhere else.
public struct PercentileObserver: HistogramObserver {
    public var histogram = Histogram()
    public let percentile: Double

    public init(percentile: Double = 99.99) { self.percentile = percentile }

    public func choose(from h: Histogram) -> ObservedRange {
        let tail = (100 - percentile) / 100
        return ObservedRange(min: h.quantile(tail), max: h.quantile(1 - tail))
    }
}
