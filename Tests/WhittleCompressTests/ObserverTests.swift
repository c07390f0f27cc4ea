import XCTest
import WhittleCompress
import WhittleTensor

final class ObserverTests: XCTestCase {
    func feed<O: RangeObserver>(_ o: inout O, _ values: [Float]) { values.withUnsafeBufferPointer { o.observe($0) } }

    func testMovingAverageMovesByTheConstant() {
        var o = MovingAverageMinMaxObserver(averagingConstant: 0.1)
        feed(&o, [-1, 1])
        feed(&o, [-11, 21])
        XCTAssertEqual(o.range!.min, -2, accuracy: 1e-6)   // −1 + 0.1·(−11 + 1)
        XCTAssertEqual(o.range!.max, 3, accuracy: 1e-6)    // 1 + 0.1·(21 − 1)
    }

    func testHistogramWidensWithoutLosingCounts() {
        var h = Histogram(bins: 64)
        [Float](repeating: 0.5, count: 10).withUnsafeBufferPointer { h.add($0) }
        [Float](arrayLiteral: 40, -3).withUnsafeBufferPointer { h.add($0) }
        XCTAssertEqual(h.total, 12)
        XCTAssertGreaterThan(h.bound, 40)
        XCTAssertEqual(h.minimum, -3)
        XCTAssertEqual(h.maximum, 40)
        XCTAssertEqual(h.quantile(0.5), 0.5, accuracy: h.binWidth * 1.01)
    }

    /// Uniform values plus one huge outlier: percentile and entropy ignore the outlier, min/max
    /// does not. (MSE rightly keeps it: clipping one value of 100 to 10 costs more squared error
    /// than the finer grid saves; see the heavy-tail test.)
    func testClippingObserversIgnoreAnOutlier() {
        var rng = RNG(seed: 1)
        let values = (0..<20_000).map { _ in rng.uniform(0, 1) } + [100]
        var minmax = MinMaxObserver()
        var percentile = PercentileObserver(percentile: 99.9)
        var entropy = EntropyObserver()
        feed(&minmax, values); feed(&percentile, values); feed(&entropy, values)
        XCTAssertEqual(minmax.range!.max, 100)
        for (name, r) in [("percentile", percentile.range!), ("entropy", entropy.range!)] {
            XCTAssertLessThan(r.max, 30, name)
            XCTAssertGreaterThanOrEqual(r.max, 0.9, "\(name) must keep the bulk of the values")
            XCTAssertGreaterThanOrEqual(r.min, values.min()!, "\(name): never below what was seen")
            XCTAssertLessThan(r.min, 0.2, name) // within a bin of 0 (bins span 256/2048 here)
        }
    }

    /// On a heavy-tailed (ReLU'd Laplace) distribution, MSE and entropy clip the tail, and the
    /// clipped range really has a smaller squared error than the full one.
    func testMSEChoosesASmallerErrorThanTheFullRange() {
        var rng = RNG(seed: 2)
        let values = (0..<50_000).map { _ -> Float in
            let u = rng.uniform(-0.5, 0.5)
            return max(0, -copysign(1, u) * log(1 - 2 * abs(u) + 1e-7))
        }
        var mse = MSEObserver()
        feed(&mse, values)
        let chosen = mse.range!
        XCTAssertLessThan(chosen.max, values.max()!)
        var h = Histogram()
        values.withUnsafeBufferPointer { h.add($0) }
        let full = ObservedRange(min: 0, max: values.max()!)
        XCTAssertLessThan(mseError(values, chosen), mseError(values, full))
    }

    /// Half the values of a ReLU output are exact zeros; they sit on the zero point of any grid
    /// and must not push entropy calibration into clipping most of the tail.
    func testEntropyIsNotFooledByTheReLUZeroSpike() {
        var rng = RNG(seed: 3)
        let values = (0..<100_000).map { _ -> Float in
            let u = rng.uniform(-0.5, 0.5)
            return max(0, -copysign(1, u) * log(1 - 2 * abs(u) + 1e-7))
        }
        XCTAssertGreaterThan(Double(values.filter { $0 == 0 }.count), 40_000)
        var entropy = EntropyObserver()
        feed(&entropy, values)
        XCTAssertEqual(entropy.histogram.exactZeros, Double(values.filter { $0 == 0 }.count))
        let r = entropy.range!
        XCTAssertGreaterThan(r.max, 0.5 * values.max()!)
        XCTAssertLessThanOrEqual(r.max, values.max()!)
    }

    func mseError(_ values: [Float], _ r: ObservedRange) -> Double {
        let step = Double(r.max - r.min) / 255
        return values.reduce(0.0) { acc, v in
            let c = min(max(Double(v), Double(r.min)), Double(r.max))
            let q = Double(r.min) + ((c - Double(r.min)) / step).rounded() * step
            return acc + (Double(v) - q) * (Double(v) - q)
        }
    }

    func testEntropyDivergenceIsZeroForAlreadyQuantizedData() {
        // A histogram that is constant within each level group has no quantization loss.
        let magnitude = [Double](repeating: 3, count: 256)
        XCTAssertEqual(EntropyObserver.divergence(magnitude, threshold: 256, levels: 128), 0, accuracy: 1e-12)
        var bumpy = magnitude
        for i in stride(from: 0, to: 256, by: 2) { bumpy[i] = 0 }
        XCTAssertGreaterThan(EntropyObserver.divergence(bumpy + [0], threshold: 200, levels: 16), 0)
    }
}
