import WhittleNN
import WhittleTensor

extension QuantizeSpec {
    /// A fresh activation observer of the kind the spec names.
    public func makeObserver() -> RangeObserver {
        switch observer {
        case .minmax: return MinMaxObserver()
        case .movingAverage: return MovingAverageMinMaxObserver(averagingConstant: Float(averagingConstant))
        case .percentile: return PercentileObserver(percentile: percentile)
        case .mse: return MSEObserver()
        case .entropy: return EntropyObserver()
        }
    }

    /// The calibration images: the first N of `train`, or N drawn with the spec's seed.
    public func calibrationSet(from train: Dataset) -> Dataset {
        let n = min(calibration, train.count)
        switch selection {
        case .first: return train.prefix(n)
        case .random:
            var order = Array(0..<train.count)
            var rng = RNG(seed: seed).derived("calibration")
            rng.shuffle(&order)
            return train.subset(Array(order.prefix(n)))
        }
    }
}
